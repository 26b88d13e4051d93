using Channels.Backplane;

namespace Channels;

/// <summary>
/// A socket as the channel layer sees it: an id and namespace to be found by, the channels it holds, and
/// a way to write a packet to it. The Socket.IO layer's socket implements it; this layer never needs
/// the concrete type.
/// </summary>
internal interface IChannelMember
{
    string Id { get; }

    string Namespace { get; }

    /// <summary>The same connection, as handlers see it.</summary>
    ChannelSocket Socket { get; }

    /// <summary>The channels this socket holds.</summary>
    SubscriptionSet Subscriptions { get; }

    /// <summary>Queues a packet for the client; false when it was not (the client is gone or too slow).</summary>
    bool Deliver(EncodedPacket packet);

    /// <summary>Sends an event encoded without an ack id (this socket adds its next one) and waits for the client's ack.</summary>
    Task<ChannelPayload> EmitWithAckAsync(EncodedPacket packet, CancellationToken cancellationToken);
}

/// <summary>
/// The channels one socket is subscribed to, in the order it subscribed (bounded by
/// <see cref="ChannelsOptions.MaxSubscriptionsPerSocket"/>), and the channel of the message being
/// dispatched. Closed, and empty, once the socket has left.
/// </summary>
internal sealed class SubscriptionSet
{
    private readonly Lock _gate = new();
    private List<string>? _channels;
    private bool _closed;

    /// <summary>The channel the message being dispatched was published to, if any.</summary>
    public string? Current { get; set; }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _channels?.Count ?? 0;
            }
        }
    }

    /// <summary>True once the socket has left: nothing can be added any more.</summary>
    public bool IsClosed
    {
        get
        {
            lock (_gate)
            {
                return _closed;
            }
        }
    }

    public bool Contains(string channel)
    {
        lock (_gate)
        {
            return _channels?.Contains(channel) ?? false;
        }
    }

    /// <summary>Adds a channel; false when the set is closed or already holds it.</summary>
    public bool Add(string channel)
    {
        lock (_gate)
        {
            if (_closed || (_channels?.Contains(channel) ?? false))
            {
                return false;
            }

            (_channels ??= []).Add(channel);
            return true;
        }
    }

    public bool Remove(string channel)
    {
        lock (_gate)
        {
            return _channels?.Remove(channel) ?? false;
        }
    }

    /// <summary>A copy, in subscription order.</summary>
    public string[] ToArray()
    {
        lock (_gate)
        {
            return _channels is null ? [] : [.. _channels];
        }
    }

    /// <summary>The socket has left: empties the set and refuses further additions.</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
            _channels = null;
        }
    }
}
