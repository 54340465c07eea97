import twilio from 'twilio';

type RequestClientOptions = NonNullable<ConstructorParameters<typeof twilio.RequestClient>[0]>;
type RequestOptions<TData> = Parameters<InstanceType<typeof twilio.RequestClient>['request']>[0] & { data?: TData };

const TWILIO_ORIGIN = /^https:\/\/[^/]*\.twilio\.com/;

/**
 * The official client has no base-URL option (docs/phone-numbers.md): this request client sends every
 * request to TWILIO_API_BASE_URL instead of *.twilio.com. The rewrite runs after the SDK's own
 * edge/region host rewriting, so those settings keep working against the real API.
 */
export class RedirectingRequestClient extends twilio.RequestClient {
  private readonly target: string;

  constructor(baseUrl: string, opts: RequestClientOptions = {}) {
    super(opts);
    this.target = baseUrl.replace(/\/+$/, '');
  }

  override request<TData>(opts: RequestOptions<TData>) {
    return super.request<TData>({ ...opts, uri: opts.uri.replace(TWILIO_ORIGIN, this.target) });
  }
}
