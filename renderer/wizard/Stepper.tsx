/** The wizard's steps as a keyboard-usable list of buttons; blocked steps say why. */
import { useApp } from '../store/index.js';
import { STEPS, STEP_LABELS, blockedReason } from '../store/wizard.js';

export function Stepper() {
  const step = useApp((s) => s.wizard.step);
  const goTo = useApp((s) => s.goTo);
  const blocked = useApp((s) => STEPS.map((st) => blockedReason(s, st)).join('|'));
  const reasons = blocked.split('|');
  return (
    <nav aria-label="Wizard steps" className="stepper">
      <ol>
        {STEPS.map((st, i) => (
          <li key={st} className={st === step ? 'current' : undefined}>
            <button
              type="button"
              aria-current={st === step ? 'step' : undefined}
              disabled={Boolean(reasons[i])}
              title={reasons[i] || undefined}
              onClick={() => goTo(st)}
            >
              <span className="step-num" aria-hidden="true">
                {i + 1}
              </span>
              {STEP_LABELS[st]}
            </button>
          </li>
        ))}
      </ol>
    </nav>
  );
}
