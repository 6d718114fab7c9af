/**
 * "Do this now": the manual bootloader reset a job is waiting for (job.prompt, fed by the job event),
 * with the steps in order and a countdown to when Flashback stops listening.
 */
import { useEffect, useState } from 'react';
import type { JobSnapshot } from '../../main/workbench/api.js';

type UserPrompt = NonNullable<JobSnapshot['prompt']>;

export function ResetPrompt({ prompt, now = () => Date.now() }: { prompt: UserPrompt; now?: () => number }) {
  const left = () => Math.max(0, Math.ceil((prompt.until - now()) / 1000));
  const [secs, setSecs] = useState(left);
  useEffect(() => {
    setSecs(left());
    const t = setInterval(() => setSecs(left()), 500);
    return () => clearInterval(t);
    // Restart only for a new prompt (its deadline identifies it).
  }, [prompt.until]);
  return (
    <div className="notice reset-prompt" role="alert" aria-label="Action needed on the board">
      <p>
        <strong>{prompt.title}</strong> — do it now.
      </p>
      <ol>
        {prompt.steps.map((s) => (
          <li key={s}>{s}</li>
        ))}
      </ol>
      <p className="countdown" aria-live="polite">
        {secs > 0 ? `Listening for the board: ${secs} s left` : 'Time is up: no answer from the bootloader'}
      </p>
    </div>
  );
}
