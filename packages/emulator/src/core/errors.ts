/** An error answered in Twilio's legacy error shape: {code, message, more_info, status}. */
export class TwilioError extends Error {
  constructor(
    readonly code: number,
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body() {
    return {
      code: this.code,
      message: this.message,
      more_info: `https://www.twilio.com/docs/errors/${this.code}`,
      status: this.status,
    };
  }
}

export const notFound = (what = "resource") =>
  new TwilioError(20404, 404, `The requested ${what} was not found`);

export const invalidParam = (name: string, detail = "is invalid") =>
  new TwilioError(20001, 400, `Invalid parameter \`${name}\`: ${detail}`);

export const missingParam = (name: string) =>
  new TwilioError(20001, 400, `Missing required parameter ${name} in the post body`);
