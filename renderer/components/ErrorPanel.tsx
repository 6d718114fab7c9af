/** A failed operation: what happened, and the hint saying what to do next, with Retry when it helps. */
import type { ErrorData } from '../../main/workbench/api.js';

export function ErrorPanel({
  error,
  onRetry,
  title,
}: {
  error: ErrorData;
  onRetry?: () => void;
  title?: string;
}) {
  return (
    <div className="error-panel" role="alert" aria-label={title ?? 'Error'}>
      <p className="error-title">
        <strong>{title ?? 'That did not work'}</strong> <code className="error-code">{error.code}</code>
      </p>
      <p className="error-message">{error.message}</p>
      {error.hint ? (
        <p className="error-hint">
          <span className="hint-label">What to do next: </span>
          {error.hint}
        </p>
      ) : null}
      {onRetry ? (
        <button type="button" onClick={onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}
