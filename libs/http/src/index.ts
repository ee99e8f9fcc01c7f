export { assertPublicAddress } from './address-policy';
export {
  HttpClient,
  type HttpClientOptions,
  type HttpMethod,
  type HttpRequest,
  type HttpResponse,
} from './http-client';
export { BlockedAddressError, HttpClientError, type HttpClientErrorKind, redactUrl } from './http-client.errors';
export { HttpModule, type HttpModuleAsyncOptions } from './http.module';
