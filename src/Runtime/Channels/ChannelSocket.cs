using System.Security.Claims;
using System.Text.Json;

namespace Channels;

/// <summary>
/// One client's connection to one namespace, as handlers see it. Built by the runtime; every method
/// is safe to call from any thread, and sends never block on a slow client (a client that falls too
/// far behind is disconnected instead).
/// </summary>
public abstract class ChannelSocket
{
    /// <summary>The socket id (the Socket.IO <c>sid</c> the client receives on connect).</summary>
    public abstract string Id { get; }

    /// <summary>The namespace, <c>/</c> by default.</summary>
    public abstract string Namespace { get; }

    /// <summary>The request that opened the connection (a copy for long-polling sessions, which outlive their requests).</summary>
    public abstract HttpContext HttpContext { get; }

    /// <summary>The authenticated user of that request.</summary>
    public ClaimsPrincipal User => HttpContext.User;

    /// <summary>The CONNECT payload: socket.io-client's <c>auth</c> option, an empty object when none was given.</summary>
    public abstract JsonElement Auth { get; }

    /// <summary>
    /// Whether this socket was restored by connection-state recovery
    /// (<see cref="ChannelsOptions.ConnectionStateRecovery"/>): its client dropped and came back within the
    /// window, and got every event sent meanwhile. False for a new socket.
    /// </summary>
    public virtual bool Recovered => false;

    /// <summary>Per-connection state, alive for the whole connection.</summary>
    public abstract IDictionary<string, object?> Context { get; }

    /// <summary>The channels this socket is subscribed to, in the order it subscribed.</summary>
    public abstract IReadOnlyCollection<string> Channels { get; }

    /// <summary>Cancelled when the connection ends.</summary>
    public abstract CancellationToken Disconnected { get; }

    /// <summary>
    /// Every other socket of this namespace, as a target: <c>socket.Others.Channel("room-1").SendAsync(line)</c>
    /// reaches the other subscribers of <c>room-1</c>, wherever they are connected.
    /// </summary>
    public abstract ChannelTarget Others { get; }

    /// <summary>Every socket of this namespace, this one included, as a target.</summary>
    public abstract ChannelTarget Everyone { get; }

    /// <summary>The server API (the app's <see cref="IChannelPublisher"/>): any namespace, channel or socket.</summary>
    public abstract IChannelPublisher Server { get; }

    /// <summary>Sends <c>["message", message]</c> to this client.</summary>
    public abstract ValueTask SendAsync<T>(T message);

    /// <summary>Sends <c>["message", message]</c> to every other client of the namespace.</summary>
    public abstract ValueTask BroadcastAsync<T>(T message);

    /// <summary>
    /// Sends <c>["message", message, channel]</c> to the other subscribers of <paramref name="channel"/>;
    /// with no channel, of the channel the current message was published to, else of every channel this
    /// socket is subscribed to (each recipient gets it once).
    /// </summary>
    public abstract ValueTask BroadcastChannelAsync<T>(T message, string? channel = null);

    /// <summary>A text message to a channel's other subscribers; its two strings can be swapped unnoticed, so this form warns.</summary>
    [Obsolete("A text message and a channel side by side can be swapped unnoticed: write Others.Channel(channel).SendAsync(message).")]
    public ValueTask BroadcastChannelAsync(string message, string? channel) => BroadcastChannelAsync<string>(message, channel);

    /// <summary>A text message to a channel's subscribers; its two strings can be swapped unnoticed, so this form warns.</summary>
    [Obsolete("A text message and a channel side by side can be swapped unnoticed: write Everyone.Channel(channel).SendAsync(message).")]
    public ValueTask SendAndBroadcastChannelAsync(string message, string? channel) => SendAndBroadcastChannelAsync<string>(message, channel);

    /// <summary>As <see cref="BroadcastAsync{T}"/>, the sender included.</summary>
    public abstract ValueTask SendAndBroadcastAsync<T>(T message);

    /// <summary>As <see cref="BroadcastChannelAsync{T}"/>, the sender included.</summary>
    public abstract ValueTask SendAndBroadcastChannelAsync<T>(T message, string? channel = null);

    /// <summary>Subscribes this socket to <paramref name="channel"/> (running <c>[OnSubscribe]</c> handlers); false if refused.</summary>
    public abstract ValueTask<bool> SubscribeAsync(string channel);

    /// <summary>Ends the subscription (running <c>[OnUnsubscribe]</c> handlers); false if it had none.</summary>
    public abstract ValueTask<bool> UnsubscribeAsync(string channel);

    /// <summary>
    /// Tracks this socket in the presence of <paramref name="channel"/> with <paramref name="meta"/> (serialized
    /// through the app's JSON options), or replaces its metadata: every subscriber of the channel, on every
    /// server, receives the join, and a <c>presence</c> request or <see cref="ChannelTarget.PresenceAsync"/> lists
    /// it. Only a subscriber is tracked: call it in <c>[OnSubscribe]</c> (the join happens once the subscription
    /// is made; none if it is refused) or after subscribing. The socket leaves when it untracks, unsubscribes or
    /// disconnects.
    /// </summary>
    /// <exception cref="ArgumentException">The metadata is larger than <see cref="ChannelsOptions.MaxPresenceMetaBytes"/>.</exception>
    /// <exception cref="InvalidOperationException">
    /// The socket is not subscribed to the channel, is disconnected, or the channel's presence holds
    /// <see cref="ChannelsOptions.MaxPresenceMembersPerChannel"/> members already.
    /// </exception>
    public abstract ValueTask TrackAsync<T>(string channel, T meta);

    /// <summary>Text as presence metadata beside a channel; the two strings can be swapped unnoticed, so this form warns.</summary>
    [Obsolete("A channel and a text beside it can be swapped unnoticed: track an object, e.g. TrackAsync(channel, new Member(name)).")]
    public ValueTask TrackAsync(string channel, string meta) => TrackAsync<string>(channel, meta);

    /// <summary>Takes this socket out of the presence of <paramref name="channel"/> (its subscribers receive the leave); nothing if it was not tracked.</summary>
    public abstract ValueTask UntrackAsync(string channel);

    /// <summary>
    /// Emits a custom event. Arguments serialize through the app's JSON options; <c>byte[]</c> and
    /// <see cref="ReadOnlyMemory{T}"/> of bytes travel as binary attachments; a <see cref="ChannelPayload"/>
    /// is sent as the arguments it holds.
    /// </summary>
    public abstract ValueTask EmitAsync(string eventName, params object?[] args);

    /// <summary>Emits a custom event and waits for the client's ack.</summary>
    public abstract Task<ChannelPayload> EmitWithAckAsync(string eventName, object?[] args, CancellationToken cancellationToken = default);

    /// <summary>Disconnects this socket from its namespace (the client receives DISCONNECT).</summary>
    public abstract ValueTask DisconnectAsync();
}
