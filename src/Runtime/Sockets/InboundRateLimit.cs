namespace Channels.Sockets;

/// <summary>What <see cref="InboundRateLimit.Check"/> decided about one packet.</summary>
internal enum RateVerdict
{
    /// <summary>Within the limits.</summary>
    Accepted,

    /// <summary>Over a limit: the packet is refused (its ack, if any, says so).</summary>
    Refused,

    /// <summary>Over a limit for a whole extra burst in a row: the client is disconnected.</summary>
    Abusive,
}

/// <summary>
/// The per-connection limits on what a client sends (<see cref="ChannelsOptions.InboundPacketsPerSecond"/>,
/// <see cref="ChannelsOptions.InboundBytesPerSecond"/>): two token buckets holding one second's worth,
/// refilled continuously by the time elapsed on the connection's <see cref="TimeProvider"/> when a packet
/// arrives, so no timer runs per connection and tests move the clock. (Not
/// <c>System.Threading.RateLimiting</c>'s token bucket: it reads the system clock, so it cannot follow a
/// <see cref="TimeProvider"/>, and it costs each connection a few hundred bytes more; see decisions.md.)
/// Used from the read side of one connection only.
/// </summary>
internal sealed class InboundRateLimit(ChannelsOptions options, TimeProvider time)
{
    private readonly int _bytesPerSecond = options.InboundBytesPerSecond;
    private readonly int _packetsPerSecond = options.InboundPacketsPerSecond;
    private TokenBucket _packets = new(options.InboundPacketsPerSecond, options.InboundPacketsPerSecond, time.GetTimestamp());
    private TokenBucket _bytes = new(options.InboundBytesPerSecond, options.InboundBytesPerSecond, time.GetTimestamp());
    private int _refusedInARow;

    public RateVerdict Check(int bytes)
    {
        var now = time.GetTimestamp();

        // A packet larger than the whole byte bucket (attachments add up) needs it full, never more.
        var size = Math.Min(bytes, _bytesPerSecond);
        if (_packets.Has(1, now, time) & _bytes.Has(size, now, time))
        {
            _packets.Take(1);
            _bytes.Take(size);
            _refusedInARow = 0;
            return RateVerdict.Accepted;
        }

        return ++_refusedInARow > _packetsPerSecond ? RateVerdict.Abusive : RateVerdict.Refused;
    }
}
