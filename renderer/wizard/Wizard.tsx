/** The rescue wizard: stepper plus the current step. */
import { useApp } from '../store/index.js';
import { BackupStep } from './BackupStep.js';
import { DetectStep } from './DetectStep.js';
import { MqttStep } from './MqttStep.js';
import { RestoreStep } from './RestoreStep.js';
import { Stepper } from './Stepper.js';

export function Wizard() {
  const step = useApp((s) => s.wizard.step);
  return (
    <div className="wizard">
      <Stepper />
      {step === 'detect' ? <DetectStep /> : null}
      {step === 'backup' ? <BackupStep /> : null}
      {step === 'restore' ? <RestoreStep /> : null}
      {step === 'mqtt' ? <MqttStep /> : null}
    </div>
  );
}
