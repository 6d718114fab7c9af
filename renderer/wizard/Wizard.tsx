/** The rescue wizard: stepper plus the current step, or the donor-less factory-data repair path. */
import { useStartJob } from '../api/jobs.js';
import { RepairPanel } from '../repair/RepairPanel.js';
import { useApp, useAppStore } from '../store/index.js';
import { BackupStep } from './BackupStep.js';
import { DetectStep } from './DetectStep.js';
import { MqttStep } from './MqttStep.js';
import { RestoreStep } from './RestoreStep.js';
import { Stepper } from './Stepper.js';

/** After a repair: the MQTT check on the repaired board, in the wizard's MQTT step. */
function RepairPath() {
  const store = useAppStore();
  const start = useStartJob();
  const mqttCheck = async (port: string) => {
    const s = store.getState();
    s.closeRepair();
    if (s.wizard.port.bad !== port) s.choosePort('bad', port);
    s.goTo('mqtt');
    s.addMqttJob(await start('mqtt-check', { port }));
  };
  return (
    <div className="wizard">
      <div className="actions">
        <button type="button" className="secondary" onClick={() => store.getState().closeRepair()}>
          Back to the rescue wizard
        </button>
      </div>
      <RepairPanel onMqttCheck={(p) => void mqttCheck(p)} />
    </div>
  );
}

export function Wizard() {
  const step = useApp((s) => s.wizard.step);
  const repairing = useApp((s) => s.repair.open);
  if (repairing) return <RepairPath />;
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
