import {
  DeleteQueueCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { createCloudEvent, createLogger, parseConfig } from '@shoal/kit';
import type { CloudEvent } from '@shoal/kit';
import { ApiContract, ContractCheckedClient, loadDepsEnv, uniqueName } from '@shoal/testbed';
import { createUserService, userConfigSchema } from '@shoal/user';
import type { UserService } from '@shoal/user';
import { MongoClient } from 'mongodb';
import { createNotificationService } from '../../src/app.ts';
import type { NotificationService } from '../../src/app.ts';
import { notificationConfigSchema } from '../../src/config.ts';
import type { NotifyResult } from '../../src/domain/notifier.ts';
import { NOTIFICATION_CLIENT, sharedAuth } from './auth-process.ts';
import type { AuthProcess, TestUser } from './auth-process.ts';
import { SmtpSink } from './smtp-sink.ts';

/** The contract every response of the service under test is checked against. */
export const contract = ApiContract.fromFile(new URL('../../openapi.yaml', import.meta.url));

/** Polls `probe` until it returns a value (not undefined), at most `attempts` times. */
export async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  attempts = 150,
  pauseMs = 100,
): Promise<T> {
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/**
 * Everything real: the auth service (its own process), the user service (in-process, on the
 * testbed's FerretDB), an SMTP server the test controls, ElasticMQ queues with unique names,
 * and the notification service under test (in-process, port 0).
 */
export class NotificationTestbed {
  readonly smtp = new SmtpSink();
  readonly sqs: SQSClient;
  readonly mongo: MongoClient;
  readonly names = {
    notificationQueue: uniqueName('notification-events'),
    eventsQueue: uniqueName('platform-events'),
    userEventsQueue: uniqueName('user-events'),
    /** The user service's own outgoing events (kept apart from what this service publishes). */
    userOutgoingQueue: uniqueName('platform-events-user'),
    userDatabase: uniqueName('notif_users', '_'),
    notificationDatabase: uniqueName('notifications', '_'),
  };
  /** How often each event id was handled successfully (acknowledged). */
  readonly handled = new Map<string, NotifyResult[]>();
  auth!: AuthProcess;
  users!: UserService;
  usersUrl = '';
  usersPort = 0;
  notifications!: NotificationService;
  api!: ContractCheckedClient;
  readonly #deps = loadDepsEnv();
  readonly #overrides: Record<string, string>;
  readonly #userOverrides: Record<string, string>;

  /** `overrides` / `userOverrides`: environment of the notification / user service. */
  constructor(overrides: Record<string, string> = {}, userOverrides: Record<string, string> = {}) {
    this.#overrides = overrides;
    this.#userOverrides = userOverrides;
    process.env['AWS_ACCESS_KEY_ID'] ??= this.#deps.AWS_ACCESS_KEY_ID;
    process.env['AWS_SECRET_ACCESS_KEY'] ??= this.#deps.AWS_SECRET_ACCESS_KEY;
    this.sqs = new SQSClient({ region: this.#deps.AWS_REGION, endpoint: this.#deps.SQS_ENDPOINT });
    this.mongo = new MongoClient(this.#deps.MONGO_URL);
  }

  /** Starts SMTP, the user service and the notification service. */
  async start(): Promise<void> {
    this.auth = await sharedAuth();
    await this.smtp.start();
    await this.startUsers();
    this.notifications = this.#createNotificationService();
    const { url } = await this.notifications.start({ port: 0, handleSignals: false });
    this.api = new ContractCheckedClient(url, contract);
  }

  /** Another instance of the notification service on the same database and queues (a replica). */
  async startReplica(): Promise<NotificationService> {
    const replica = this.#createNotificationService();
    await replica.start({ port: 0, handleSignals: false });
    return replica;
  }

  #createNotificationService(): NotificationService {
    const config = parseConfig(notificationConfigSchema, {
      env: {
        SERVICE_NAME: uniqueName('notification'),
        HOST: '127.0.0.1',
        MONGO_URL: this.#deps.MONGO_URL,
        MONGO_DATABASE: this.names.notificationDatabase,
        SQS_ENDPOINT: this.#deps.SQS_ENDPOINT,
        AWS_REGION: this.#deps.AWS_REGION,
        NOTIFICATION_EVENTS_QUEUE: this.names.notificationQueue,
        EVENTS_QUEUE: this.names.eventsQueue,
        CONSUMER_WAIT_SEC: '1',
        RETRY_DELAY_BASE_SEC: '1',
        RETRY_DELAY_MAX_SEC: '2',
        OUTBOX_POLL_MS: '200',
        USER_SERVICE_URL: this.usersUrl,
        USER_SERVICE_TIMEOUT_MS: '1000',
        AUTH_URL: this.auth.url,
        AUTH_CLIENT_ID: NOTIFICATION_CLIENT.id,
        AUTH_CLIENT_SECRET: NOTIFICATION_CLIENT.secret,
        AUTH_JWKS_URL: this.auth.jwksUrl,
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(this.smtp.port),
        SMTP_TIMEOUT_MS: '2000',
        MAIL_FROM: 'no-reply@shoal.test',
        SHUTDOWN_DELAY_MS: '0',
        SHUTDOWN_TIMEOUT_MS: '5000',
        LOG_LEVEL: 'error',
        ...this.#overrides,
      },
      envFile: false,
    });
    return createNotificationService(config, {
      logger: createLogger({
        service: config.SERVICE_NAME,
        level: 'error',
        stream: process.stderr,
      }),
      onHandled: (event, result) => {
        this.handled.set(event.id, [...(this.handled.get(event.id) ?? []), result]);
      },
    });
  }

  /** (Re)starts the user service; a restart keeps its port, so the notification service finds it. */
  async startUsers(): Promise<void> {
    const config = parseConfig(userConfigSchema, {
      env: {
        SERVICE_NAME: uniqueName('user'),
        HOST: '127.0.0.1',
        MONGO_URL: this.#deps.MONGO_URL,
        MONGO_DATABASE: this.names.userDatabase,
        SQS_ENDPOINT: this.#deps.SQS_ENDPOINT,
        AWS_REGION: this.#deps.AWS_REGION,
        EVENTS_QUEUE: this.names.userOutgoingQueue,
        USER_EVENTS_QUEUE: this.names.userEventsQueue,
        CONSUMER_WAIT_SEC: '1',
        AUTH_JWKS_URL: this.auth.jwksUrl,
        SHUTDOWN_DELAY_MS: '0',
        SHUTDOWN_TIMEOUT_MS: '5000',
        LOG_LEVEL: 'error',
        ...this.#userOverrides,
      },
      envFile: false,
    });
    this.users = createUserService(config, {
      logger: createLogger({ service: 'user', level: 'error', stream: process.stderr }),
    });
    const { url, port } = await this.users.start({ port: this.usersPort, handleSignals: false });
    this.usersUrl = url;
    this.usersPort = port;
  }

  /** A user registered in auth, with a profile in the user service (as its consumer makes it). */
  async newUser(name = 'Test User'): Promise<TestUser> {
    const user = await this.auth.register(name);
    await this.users.profiles.registered(user);
    return user;
  }

  /** Changes the user's preferences through the user service's API. */
  async setPrefs(user: TestUser, prefs: { email?: boolean; inApp?: boolean }): Promise<void> {
    const response = await fetch(`${this.usersUrl}/api/users/me`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ notificationPrefs: prefs }),
    });
    if (!response.ok) throw new Error(`PATCH /me answered ${response.status}`);
  }

  /** Puts `event` on the notification queue `times` times (as the hub would, at least once). */
  async deliver(event: CloudEvent, times = 1): Promise<void> {
    const queueUrl = await this.queueUrl(this.names.notificationQueue);
    for (let copy = 0; copy < times; copy += 1) {
      await this.sqs.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(event) }),
      );
    }
  }

  /** Waits until `event` was handled (acknowledged) `times` times. */
  handledTimes(event: CloudEvent, times: number): Promise<NotifyResult[]> {
    return eventually(() => {
      const results = this.handled.get(event.id) ?? [];
      return results.length >= times ? results : undefined;
    }, `${times} handlings of ${event.type} ${event.id}`);
  }

  /** Every notification.sent/failed read from the service's events queue so far. */
  readonly published: CloudEvent[] = [];

  /**
   * Reads what the service published to its events queue until `done(all read so far)` holds
   * or `maxPolls` one-second polls came back; returns everything read so far.
   */
  async awaitPublished(
    done: (events: CloudEvent[]) => boolean,
    maxPolls = 15,
  ): Promise<CloudEvent[]> {
    const queueUrl = await this.queueUrl(this.names.eventsQueue);
    for (let poll = 0; poll < maxPolls && !done(this.published); poll += 1) {
      const { Messages } = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          VisibilityTimeout: 300,
        }),
      );
      for (const message of Messages ?? []) {
        this.published.push(JSON.parse(message.Body ?? '') as CloudEvent);
      }
    }
    return this.published;
  }

  async queueUrl(name: string): Promise<string> {
    return String((await this.sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl);
  }

  /** Stops the services and removes the databases and queues. */
  async stop(): Promise<void> {
    await this.notifications?.stop();
    await this.users?.stop();
    await this.smtp.stop().catch(() => undefined);
    for (const database of [this.names.userDatabase, this.names.notificationDatabase]) {
      await this.mongo
        .db(database)
        .dropDatabase()
        .catch(() => undefined);
    }
    await this.mongo.close();
    for (const name of [
      this.names.notificationQueue,
      this.names.eventsQueue,
      this.names.userEventsQueue,
      this.names.userOutgoingQueue,
    ]) {
      await this.queueUrl(name)
        .then((url) => this.sqs.send(new DeleteQueueCommand({ QueueUrl: url })))
        .catch(() => undefined);
    }
    this.sqs.destroy();
  }
}

/** The events the hub fans out to notification-events, as their producers make them. */
export const platformEvents = {
  registered: (user: TestUser) =>
    createCloudEvent({
      type: 'auth.user.registered',
      source: '/shoal/auth',
      subject: user.id,
      data: { id: user.id, email: user.email, name: user.name },
    }),
  profileUpdated: (user: TestUser) =>
    createCloudEvent({
      type: 'user.profile.updated',
      source: '/shoal/user',
      subject: user.id,
      data: {
        id: user.id,
        changed: ['displayName'],
        profile: { displayName: user.name, bio: null, locale: null, timezone: null },
      },
    }),
  deleted: (user: TestUser) =>
    createCloudEvent({
      type: 'user.deleted',
      source: '/shoal/user',
      subject: user.id,
      data: { id: user.id, deletedAt: new Date().toISOString() },
    }),
  integration: (user: TestUser) =>
    createCloudEvent({
      id: `integration:crm:${uniqueName('delivery')}`,
      type: 'integration.crm.deal_won',
      source: '/shoal/webhooks/crm',
      subject: user.id,
      data: { deal: 'ACME renewal' },
    }),
};
