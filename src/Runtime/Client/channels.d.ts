// Types for channels.js, the Channels.SDK browser client.

/** What a subscribe, unsubscribe or publish is answered with. */
export interface ChannelAck {
  ok: boolean;
  error?: string;
}

export interface ConnectOptions {
  /** The server's origin, e.g. "https://chat.example.com". Default: the page's origin. */
  url?: string;
  /** The endpoint path given to MapChannels. Default "/socket.io". */
  path?: string;
  /** The Socket.IO namespace. Default "/". */
  namespace?: string;
  /** The CONNECT payload the server sees as ChannelSocket.Auth. */
  auth?: Record<string, unknown>;
  /** Reconnect after the connection drops. Default true. */
  reconnect?: boolean;
  /** First reconnect delay in ms (doubles each attempt, full jitter; keeps growing while connections drop at once). Default 500. */
  reconnectDelay?: number;
  /** Longest reconnect delay in ms. Default 5000. */
  reconnectDelayMax?: number;
  /** How long emitWithAck waits, in ms. Default 10000. */
  ackTimeout?: number;
  /** The most emits kept while disconnected; past it an emit is refused (its ack rejected, or an "error" event). Default 100. */
  outboxMax?: number;
  /** How long, in ms, an emit kept while disconnected stays worth sending; older ones are dropped at the reconnect. Default 30000. */
  outboxTtl?: number;
  /** Replaces Date.now (tests). */
  now?: () => number;
  /** Replaces Math.random (tests). */
  random?: () => number;
  /** A WebSocket constructor, for environments without a global one (Node: the "ws" package). */
  WebSocket?: unknown;
}

export interface ChannelsEvents {
  connect: () => void;
  disconnect: (reason: string) => void;
  connect_error: (error: Error & { data?: unknown }) => void;
  /** An emit without an ack that was not sent (the outbox was full, or it waited too long). */
  error: (error: Error) => void;
  message: (data: any, channel?: string) => void;
  /** A change of the presence of a channel this client is subscribed to. */
  presence: (channel: string, change: PresenceChange) => void;
  [event: string]: (...args: any[]) => void;
}

/** A change of a channel's presence: socket id → metadata. A member whose metadata changed is in joins. */
export interface PresenceChange<Meta = unknown> {
  joins: Record<string, Meta>;
  leaves: Record<string, Meta>;
}

/** A channel's presence, kept up to date. */
export interface PresenceView<Meta = unknown> {
  readonly channel: string;
  /** The members now: socket id → metadata. */
  readonly members: Map<string, Meta>;
  /** Settles with the first fetch of the members; rejected when the server refuses it (not subscribed). */
  readonly ready: Promise<Map<string, Meta>>;
  /** Fetches the members again (done after every reconnect). */
  refresh(): Promise<Map<string, Meta>>;
  /** Stops following the channel. */
  close(): void;
}

export declare class ChannelsClient {
  constructor(options?: ConnectOptions);
  /** Whether the client is connected to its namespace. */
  readonly connected: boolean;
  /** The socket id, while connected. */
  readonly id: string | null;
  /** Whether the last connect restored the previous session (connection-state recovery): same id, channels kept, missed messages delivered before "connect". */
  readonly recovered: boolean;
  /** The channels held (subscribed to again after a reconnect). */
  readonly channels: string[];
  on<E extends keyof ChannelsEvents>(event: E, handler: ChannelsEvents[E]): this;
  off<E extends keyof ChannelsEvents>(event: E, handler: ChannelsEvents[E]): this;
  subscribe(channel: string): Promise<ChannelAck>;
  unsubscribe(channel: string): Promise<ChannelAck>;
  publish(channel: string, data: unknown): Promise<ChannelAck>;
  /**
   * A live view of a channel's presence (subscribe first): fetches the members, applies the joins and
   * leaves the server sends (queuing those that arrive before the members), fetches again after a
   * reconnect, and calls onChange after each change.
   */
  presence<Meta = unknown>(channel: string, onChange?: (members: Map<string, Meta>, change: PresenceChange<Meta>) => void): PresenceView<Meta>;
  send(data: unknown): void;
  emit(event: string, ...args: unknown[]): void;
  emitWithAck<T = unknown>(event: string, ...args: unknown[]): Promise<T>;
  close(): void;
}

/**
 * Opens a client (a string is the url).
 *
 * With the app's generated contract as type argument, the client is checked against it:
 * `connect<ChannelsContract>(url)` for the namespace "/", `connect<ChannelsContract, "/admin">({ url, namespace: "/admin" })`
 * for another one.
 */
export declare function connect(options?: ConnectOptions | string): ChannelsClient;
export declare function connect<C extends ContractShape, N extends keyof C & string = "/">(
  options?: string | (ConnectOptions & { namespace?: N }),
): TypedChannelsClient<C[N]>;

// ---- typed clients (the contract the build writes with <ChannelsTypeScriptContract>) ----

/** What the generated contract says about one namespace. */
export interface NamespaceContract {
  /** Custom events ([OnEvent]): the arguments the server binds, and the type of its ack. */
  events: Record<string, { args: unknown[]; ack: unknown }>;
  /** The channels a client may subscribe to ([OnSubscribe] patterns). */
  subscribe: string;
  /** What may be published, per channel pattern ([OnMessage] payloads). */
  publish: { channel: string; payload: unknown };
  /** What a plain message (send) may carry (unpatterned [OnMessage] payloads). */
  send: unknown;
  /** What the server's handlers send to channels (the "message" event). */
  message: unknown;
}

/** A generated contract: its namespaces by name. */
export type ContractShape = { [namespace: string]: NamespaceContract };

/** The payload published to channel `Ch`: the payloads of every pattern that `Ch` matches. */
export type PublishPayload<N extends NamespaceContract, Ch extends string> =
  N["publish"] extends infer P ? (P extends { channel: infer Pattern; payload: infer D } ? (Ch extends Pattern ? D : never) : never) : never;

/** Events every client has, whatever the contract. */
export interface TypedClientEvents<N extends NamespaceContract> {
  connect: () => void;
  disconnect: (reason: string) => void;
  connect_error: (error: Error & { data?: unknown }) => void;
  error: (error: Error) => void;
  message: (data: N["message"], channel?: N["subscribe"]) => void;
}

/** A client checked against one namespace of the app's contract. */
export interface TypedChannelsClient<N extends NamespaceContract> {
  readonly connected: boolean;
  readonly id: string | null;
  readonly recovered: boolean;
  readonly channels: N["subscribe"][];
  on<E extends keyof TypedClientEvents<N>>(event: E, handler: TypedClientEvents<N>[E]): this;
  off<E extends keyof TypedClientEvents<N>>(event: E, handler: TypedClientEvents<N>[E]): this;
  subscribe(channel: N["subscribe"]): Promise<ChannelAck>;
  unsubscribe(channel: N["subscribe"]): Promise<ChannelAck>;
  publish<Ch extends N["publish"]["channel"]>(channel: Ch, data: PublishPayload<N, Ch>): Promise<ChannelAck>;
  send(data: N["send"]): void;
  emit<E extends keyof N["events"] & string>(event: E, ...args: N["events"][E]["args"]): void;
  emitWithAck<E extends keyof N["events"] & string>(event: E, ...args: N["events"][E]["args"]): Promise<N["events"][E]["ack"]>;
  presence<Meta = unknown>(channel: N["subscribe"], onChange?: (members: Map<string, Meta>, change: PresenceChange<Meta>) => void): PresenceView<Meta>;
  close(): void;
}
