import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { HttpClient, type HttpClientOptions, HttpModule } from '@libs/http';

@Injectable()
class FakeConfig {
  readonly http: HttpClientOptions = { allowPrivateTargets: false, userAgent: 'paperboy-test/1.0' };
}

@Module({ providers: [FakeConfig], exports: [FakeConfig] })
class FakeConfigModule {}

describe('HttpModule', () => {
  it('builds one HttpClient from injected config and closes it when the app shuts down', async () => {
    const useFactory = jest.fn((cfg: FakeConfig) => cfg.http);
    const moduleRef = await Test.createTestingModule({
      imports: [HttpModule.registerAsync({ imports: [FakeConfigModule], inject: [FakeConfig], useFactory })],
    }).compile();

    const client = moduleRef.get(HttpClient);
    const close = jest.spyOn(client, 'close');

    expect(client).toBeInstanceOf(HttpClient);
    expect(useFactory).toHaveBeenCalledTimes(1);
    expect(useFactory.mock.calls[0][0]).toBeInstanceOf(FakeConfig);

    await moduleRef.close();

    expect(close).toHaveBeenCalledTimes(1);
  });
});
