using System.Diagnostics;

namespace Channels.Backplane;

/// <summary>Who a publication is for.</summary>
public enum PublicationTarget
{
    /// <summary>Every socket of the namespace.</summary>
    All,

    /// <summary>The subscribers of <see cref="ChannelPublication.Channels"/>; each socket receives it once.</summary>
    Channels,

    /// <summary>One socket, <see cref="ChannelPublication.SocketId"/>.</summary>
    Socket,
}

/// <summary>
/// One encoded packet on its way to a set of sockets: what crosses the broadcast seam
/// (<see cref="IChannelBackplane"/>), so that a backplane can carry it between servers as bytes.
/// </summary>
public sealed class ChannelPublication
{
    private ChannelPublication(string @namespace, PublicationTarget target, IReadOnlyList<string> channels, string? socketId, string? exceptSocketId, IReadOnlyList<EncodedPacket> packets, bool appendsChannel = false)
    {
        Namespace = @namespace;
        Target = target;
        Channels = channels;
        SocketId = socketId;
        ExceptSocketId = exceptSocketId;
        Packets = packets;
        AppendsChannel = appendsChannel;

        // One read of an async-local per publication (not per recipient): the trace it was made in, if any.
        TraceContext = Activity.Current?.Context ?? default;
    }

    private ChannelPublication(ChannelPublication publication, ActivityContext traceContext, string? offset)
        : this(publication.Namespace, publication.Target, publication.Channels, publication.SocketId, publication.ExceptSocketId, publication.Packets, publication.AppendsChannel)
    {
        TraceContext = traceContext;
        Offset = offset;
    }

    /// <summary>The namespace.</summary>
    public string Namespace { get; }

    /// <summary>Who it is for.</summary>
    public PublicationTarget Target { get; }

    /// <summary>For <see cref="PublicationTarget.Channels"/>, the channels, in priority order.</summary>
    public IReadOnlyList<string> Channels { get; }

    /// <summary>For <see cref="PublicationTarget.Socket"/>, the socket id.</summary>
    public string? SocketId { get; }

    /// <summary>A socket that must not receive it (the sender of a broadcast), or null.</summary>
    public string? ExceptSocketId { get; }

    /// <summary>
    /// The packets: one for <see cref="PublicationTarget.All"/> and <see cref="PublicationTarget.Socket"/>;
    /// for <see cref="PublicationTarget.Channels"/> one per channel, in the same order (a socket in several
    /// channels receives the packet of the first), or, when <see cref="AppendsChannel"/>, one for all.
    /// </summary>
    public IReadOnlyList<EncodedPacket> Packets { get; }

    /// <summary>
    /// For <see cref="PublicationTarget.Channels"/>: the one packet is the message without its channel
    /// (<c>["message",payload]</c>), and each channel's subscribers receive it with that channel appended as
    /// the last argument. A message to many channels is then encoded, and carried between servers, once.
    /// </summary>
    public bool AppendsChannel { get; }

    /// <summary>
    /// The trace the publication belongs to: the context of <see cref="Activity.Current"/> when it was made
    /// (a handler's activity, an HTTP request's), or <c>default</c> when there was none. A backplane that
    /// carries publications between servers carries this too (as W3C trace context), and the receiving
    /// side restores it with <see cref="WithTraceContext"/>, so that deliveries there join the trace.
    /// </summary>
    public ActivityContext TraceContext { get; }

    /// <summary>The same publication, in the trace <paramref name="traceContext"/> (for a backplane that received it from another server).</summary>
    public ChannelPublication WithTraceContext(ActivityContext traceContext) => new(this, traceContext, Offset);

    /// <summary>
    /// The publication's place in the replay log of connection-state recovery (a stream entry id such as
    /// <c>1700000000000-0</c>), given by the backplane that logged it; null when recovery is off. Each event
    /// delivered carries it as its last argument.
    /// </summary>
    public string? Offset { get; }

    /// <summary>The same publication at <paramref name="offset"/> in the replay log (see <see cref="Offset"/>).</summary>
    public ChannelPublication WithOffset(string offset) => new(this, TraceContext, offset);

    /// <summary>A publication to every socket of a namespace.</summary>
    public static ChannelPublication ToAll(string @namespace, EncodedPacket packet, string? exceptSocketId = null) =>
        new(@namespace, PublicationTarget.All, [], null, exceptSocketId, [packet]);

    /// <summary>A publication to the subscribers of some channels.</summary>
    public static ChannelPublication ToChannels(string @namespace, IReadOnlyList<string> channels, IReadOnlyList<EncodedPacket> packets, string? exceptSocketId = null)
    {
        if (channels.Count != packets.Count)
        {
            throw new ArgumentException("One packet per channel is needed.", nameof(packets));
        }

        return new(@namespace, PublicationTarget.Channels, channels, null, exceptSocketId, packets);
    }

    /// <summary>
    /// A publication of one message to the subscribers of several channels, encoded once without its
    /// channel: each subscriber receives it with the channel it holds appended (see <see cref="AppendsChannel"/>).
    /// </summary>
    public static ChannelPublication ToEachChannel(string @namespace, IReadOnlyList<string> channels, EncodedPacket message, string? exceptSocketId = null) =>
        new(@namespace, PublicationTarget.Channels, channels, null, exceptSocketId, [message], appendsChannel: true);

    /// <summary>
    /// A publication to one socket. <paramref name="namespace"/> is the namespace the packet was encoded
    /// for; a server that holds the socket on another namespace re-addresses the packet to it. (The two
    /// strings are apart so that they cannot be swapped unnoticed.)
    /// </summary>
    public static ChannelPublication ToSocket(string socketId, EncodedPacket packet, string @namespace) =>
        new(@namespace, PublicationTarget.Socket, [], socketId, null, [packet]);
}
