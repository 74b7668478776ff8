import { type RawClient, call, paginate } from "../http.js";
import type { OptOut, Page, QueryOf, RequestBody, SendMessageInput } from "../types.js";

type ListQuery = QueryOf<"/v1/messages", "get">;

export interface IdempotencyOptions {
  /**
   * Sent as the Idempotency-Key header: a retried request with the same key answers as the
   * first did and never sends twice; the same key with a different request is a 409
   * `idempotency_conflict`. Use one key per logical send (e.g. your own record's id).
   */
  idempotencyKey?: string;
}

const idempotency = (options: IdempotencyOptions) =>
  options.idempotencyKey === undefined ? {} : { "idempotency-key": options.idempotencyKey };

/** Messages (tenant key): send, read, search, cancel. */
export function messagesResource(raw: RawClient) {
  const list = (query: ListQuery = {}) => call(raw.GET("/v1/messages", { params: { query } }));
  return {
    /** Stores the message (202, `queued` or `scheduled`); delivery follows. */
    send: (input: SendMessageInput, options: IdempotencyOptions = {}) =>
      call(raw.POST("/v1/messages", { params: { header: idempotency(options) }, body: input })),
    /**
     * Sends many messages in one request; each is answered on its own in `results` (an invalid
     * item does not fail the others). A batch key gives item i the key `<key>:<i>`.
     */
    sendBatch: (messages: SendMessageInput[], options: IdempotencyOptions = {}) =>
      call(
        raw.POST("/v1/messages/batch", {
          params: { header: idempotency(options) },
          // The document describes items as bare objects (each is checked on its own server-side).
          body: { messages: messages as never[] },
        }),
      ),
    /** The message with its `events[]` (status history). */
    get: (id: string) => call(raw.GET("/v1/messages/{id}", { params: { path: { id } } })),
    /** One page; pass `cursor: page.next_cursor` for the next. */
    list,
    listAll: (query: Omit<ListQuery, "cursor"> = {}) => paginate((cursor) => list({ ...query, cursor })),
    /** Cancels a scheduled or not-yet-sent message (409 once it has left). */
    cancel: (id: string) => call(raw.POST("/v1/messages/{id}/cancel", { params: { path: { id } } })),
  };
}

/** The tenant's suppression list. */
export function optOutsResource(raw: RawClient) {
  return {
    list: (query: Omit<QueryOf<"/v1/opt-outs", "get">, "format"> = {}): Promise<Page<OptOut>> =>
      call(raw.GET("/v1/opt-outs", { params: { query } })),
    /** Suppresses a number (for all senders, or one `scope`); 201 when new, 200 when already. */
    add: (input: RequestBody<"/v1/opt-outs", "post">) => call(raw.POST("/v1/opt-outs", { body: input })),
    /** Lifts the suppression (only on the recipient's request: record why in `reason`). */
    remove: (phone: string, query: QueryOf<"/v1/opt-outs/{phone}", "delete"> = {}) =>
      call(raw.DELETE("/v1/opt-outs/{phone}", { params: { path: { phone }, query } })),
  };
}
