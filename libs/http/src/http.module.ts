import { type DynamicModule, type FactoryProvider, Module, type ModuleMetadata } from '@nestjs/common';
import { Settings } from '@libs/config';
import { HttpClient, type HttpClientOptions } from './http-client';

export interface HttpModuleAsyncOptions {
  imports?: ModuleMetadata['imports'];
  /** Tokens whose instances are passed to `useFactory`, in order. */
  inject?: FactoryProvider['inject'];
  // Method syntax on purpose: it lets callers write `(cfg: AppConfig) => ...` without `any`.
  useFactory(...deps: unknown[]): HttpClientOptions | Promise<HttpClientOptions>;
}

/** Provides the shared `HttpClient`; it closes its connection pool on module destroy. */
@Module({})
export class HttpModule {
  /** The client every app uses: private targets as ALLOW_PRIVATE_TARGETS says, one User-Agent. */
  static forSettings(): DynamicModule {
    return HttpModule.registerAsync({
      inject: [Settings],
      useFactory: (settings) => ({
        allowPrivateTargets: (settings as Settings).ALLOW_PRIVATE_TARGETS,
        userAgent: 'Paperboy/0.1 (self-hosted research-paper digest)',
      }),
    });
  }

  static registerAsync(options: HttpModuleAsyncOptions): DynamicModule {
    return {
      module: HttpModule,
      global: false,
      imports: options.imports ?? [],
      providers: [
        {
          provide: HttpClient,
          inject: options.inject ?? [],
          useFactory: async (...deps: unknown[]) => new HttpClient(await options.useFactory(...deps)),
        },
      ],
      exports: [HttpClient],
    };
  }
}
