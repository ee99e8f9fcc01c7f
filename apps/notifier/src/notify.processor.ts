import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Settings } from '@libs/config';
import { Clock } from '@libs/domain';
import { Job, UnrecoverableError } from 'bullmq';
import { JobData, JobName, QueueName, runJob, QueueErrorReporter } from '@libs/queues';
import { ConfirmationService } from './confirmation.service';
import { DeliveryService } from './delivery.service';
import { DigestBuilderService } from './digest-builder.service';
import { DigestPlannerService } from './digest-planner.service';
import { AlertChannel, SourceAlertService } from './source-alert.service';

type NotifyJob =
  | Job<JobData<JobName.DigestQueueAll>>
  | Job<JobData<JobName.DigestBuild>>
  | Job<JobData<JobName.DeliverySend>>
  | Job<JobData<JobName.ConfirmationSend>>
  | Job<JobData<JobName.SourceHealthAlert>>;

@Processor(QueueName.Notify)
export class NotifyProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(NotifyProcessor.name);
  private readonly errors = new QueueErrorReporter(`${NotifyProcessor.name} worker`);

  constructor(
    private readonly settings: Settings,
    private readonly clock: Clock,
    private readonly planner: DigestPlannerService,
    private readonly builder: DigestBuilderService,
    private readonly delivery: DeliveryService,
    private readonly confirmation: ConfirmationService,
    private readonly alerts: SourceAlertService,
  ) {
    super();
  }

  /** Decorator options are static; the concurrency comes from the settings. */
  onApplicationBootstrap(): void {
    this.worker.concurrency = this.settings.NOTIFIER_CONCURRENCY;
  }

  async process(job: NotifyJob, token?: string): Promise<unknown> {
    const data = job.data as Partial<Record<string, string>>;
    switch (job.name as JobName) {
      case JobName.DigestQueueAll:
        return runJob(job, token, () => this.planner.planDue(instant(data.now) ?? this.clock.now()));
      case JobName.DigestBuild:
        return runJob(job, token, () => this.builder.buildAndSend(data.digestId as string));
      case JobName.DeliverySend:
        return runJob(job, token, () => this.delivery.send(data.deliveryId as string));
      case JobName.ConfirmationSend:
        return runJob(job, token, () =>
          data.emailRequestedAt === undefined
            ? this.confirmation.send(data.subscriptionId as string)
            : this.confirmation.sendEmailChange(data.subscriptionId as string),
        );
      case JobName.SourceHealthAlert:
        return runJob(job, token, () => this.sendAlert(job as Job<JobData<JobName.SourceHealthAlert>>));
      default:
        throw new UnrecoverableError(`No handler for job ${job.name} on queue ${QueueName.Notify}`);
    }
  }

  /** The job's progress keeps the channels already sent to, so a retry sends only what failed. */
  private sendAlert(job: Job<JobData<JobName.SourceHealthAlert>>): ReturnType<SourceAlertService['send']> {
    const progress = job.progress as { sent?: AlertChannel[] } | number | undefined;
    const sent = typeof progress === 'object' && Array.isArray(progress.sent) ? [...progress.sent] : [];
    return this.alerts.send(job.data, sent, async (channel) => {
      sent.push(channel);
      await job.updateProgress({ sent });
    });
  }

  /** Redis trouble and jobs whose keys Redis lost: one log line per condition, not a stack per event. */
  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.errors.report(error);
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, error: Error): void {
    this.logger.warn(`${job?.name} ${job?.id} attempt ${job?.attemptsMade}: ${error.message}`);
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
