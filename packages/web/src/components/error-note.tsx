/** An API error as people read it: the message, the code and the request id to quote. */
import type { ApiError } from '../api/api-client.js';

export function ErrorNote({ error }: { error: ApiError }) {
  return (
    <div className="error-note" role="alert">
      <strong>{error.message}</strong>
      <span className="muted">
        {' '}
        ({error.code}
        {error.requestId === undefined ? '' : `, request ${error.requestId}`})
      </span>
    </div>
  );
}
