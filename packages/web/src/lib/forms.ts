import { useState } from "react";
import { type Problem, problemsAt, problemsOf } from "./api";

export interface Submission<T> {
  /** What the last submit failed with (the API's error, shown by ErrorBanner and Problems). */
  error: unknown;
  /** What the last submit answered, until the next one starts. */
  result: T | null;
  busy: boolean;
  /** The server's findings at a JSON pointer of the request. */
  at: (path: string) => Problem[];
  /** `aria-invalid` for the input sending `path`. */
  invalid: (path: string) => true | undefined;
  /** Runs `send` (clearing the last outcome first), then `done` with its answer. */
  submit: (send: () => Promise<T>, done?: (result: T) => void) => Promise<void>;
}

/** The state of a form that sends one request: busy, its answer, or its error and findings. */
export function useSubmission<T = any>(): Submission<T> {
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<T | null>(null);
  const [busy, setBusy] = useState(false);
  const problems = problemsOf(error);
  const at = (path: string) => problemsAt(problems, path);
  return {
    error,
    result,
    busy,
    at,
    invalid: (path) => (at(path).length > 0 ? true : undefined),
    async submit(send, done) {
      setBusy(true);
      setError(null);
      setResult(null);
      try {
        const r = await send();
        setResult(r);
        done?.(r);
      } catch (e) {
        setError(e);
      } finally {
        setBusy(false);
      }
    },
  };
}
