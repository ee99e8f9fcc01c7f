import { Processor } from '@nestjs/bullmq';
import { OnApplicationBootstrap } from '@nestjs/common';
import { Settings } from '@libs/config';
import { Clock } from '@libs/domain';
import { Job, UnrecoverableError } from 'bullmq';
import { DeclaredWorker, JobData, JobName, QueueHandlers, QueueName } from '@libs/queues';
import { ConfirmationService } from './confirmation.service';
import { DeliveryService } from './delivery.service';
import { DigestBuilderService } from './digest-builder.service';
import { DigestPlannerService } from './digest-planner.service';
import { LedgerRetentionService } from './ledger-retention.service';
import { AlertChannel, SourceAlertService } from './source-alert.service';

@Processor(QueueName.Notify)
export class NotifyProcessor extends DeclaredWorker<QueueName.Notify> implements OnApplicationBootstrap {
  protected readonly handlers: QueueHandlers<QueueName.Notify> = {
    [JobName.DigestQueueAll]: ({ now }) => this.planner.planDue(instant(now) ?? this.clock.now()),
    [JobName.DigestBuild]: ({ digestId }) => this.builder.buildAndSend(digestId),
    [JobName.DeliverySend]: ({ deliveryId }) => this.delivery.send(deliveryId),
    [JobName.ConfirmationSend]: ({ subscriptionId, emailRequestedAt }) =>
      emailRequestedAt === undefined
        ? this.confirmation.send(subscriptionId)
        : this.confirmation.sendEmailChange(subscriptionId),
    [JobName.SourceHealthAlert]: (data, job) => this.sendAlert(data, job),
    [JobName.LedgerPrune]: async ({ now }) => {
      await this.retention.prune(instant(now) ?? this.clock.now());
    },
  };

  constructor(
    private readonly settings: Settings,
    private readonly clock: Clock,
    private readonly planner: DigestPlannerService,
    private readonly builder: DigestBuilderService,
    private readonly delivery: DeliveryService,
    private readonly confirmation: ConfirmationService,
    private readonly alerts: SourceAlertService,
    private readonly retention: LedgerRetentionService,
  ) {
    super(QueueName.Notify);
  }

  /** Decorator options are static; the concurrency comes from the settings. */
  onApplicationBootstrap(): void {
    this.worker.concurrency = this.settings.NOTIFIER_CONCURRENCY;
  }

  /** The job's progress keeps the channels already sent to, so a retry sends only what failed. */
  private sendAlert(
    data: JobData<JobName.SourceHealthAlert>,
    job: Job<JobData<JobName.SourceHealthAlert>>,
  ): ReturnType<SourceAlertService['send']> {
    const progress = job.progress as { sent?: AlertChannel[] } | number | undefined;
    const sent = typeof progress === 'object' && Array.isArray(progress.sent) ? [...progress.sent] : [];
    return this.alerts.send(data, sent, async (channel) => {
      sent.push(channel);
      await job.updateProgress({ sent });
    });
  }
}

/** A job may carry the instant to act at (`digest send --now`); otherwise it acts at the clock's now. */
function instant(iso: string | undefined): Date | undefined {
  if (iso === undefined) {
    return undefined;
  }
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    throw new UnrecoverableError(`"${iso}" is not an ISO-8601 instant`);
  }
  return date;
}
