// Points the official `twilio` SDK at a fake server: the SDK has no baseUrl option, so rewrite
// the https://*.twilio.com origin of every request (docs/phone-numbers.md Option A, the pattern from
// https://www.twilio.com/docs/openapi/mock-api-generation-with-twilio-openapi-spec). The rewrite
// runs after the SDK's edge/region host rewriting, so it also works with those set.
import twilio from 'twilio';

type RequestClientOptions = NonNullable<ConstructorParameters<typeof twilio.RequestClient>[0]>;
type RequestOptions<TData> = Parameters<InstanceType<typeof twilio.RequestClient>['request']>[0] & { data?: TData };

const TWILIO_ORIGIN = /^https:\/\/[^/]*\.twilio\.com/;

export class RedirectingRequestClient extends twilio.RequestClient {
  private readonly target: string;

  constructor(targetBaseUrl: string, opts: RequestClientOptions = {}) {
    // No keep-alive by default so tests never hold pooled sockets open.
    super({ keepAlive: false, ...opts });
    this.target = targetBaseUrl.replace(/\/+$/, '');
  }

  override request<TData>(opts: RequestOptions<TData>) {
    return super.request<TData>({ ...opts, uri: opts.uri.replace(TWILIO_ORIGIN, this.target) });
  }
}

/** An official SDK client whose API calls all land on `baseUrl` (e.g. a FakeTwilioApi). */
export function createRedirectedTwilioClient(
  baseUrl: string,
  accountSid: string,
  authToken: string,
  opts: { requestClient?: RequestClientOptions; timeout?: number } = {},
): twilio.Twilio {
  return twilio(accountSid, authToken, {
    httpClient: new RedirectingRequestClient(baseUrl, { timeout: opts.timeout, ...opts.requestClient }),
  });
}
