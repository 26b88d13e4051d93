namespace Channels.Dispatch;

/// <summary>
/// What <see cref="ChannelDispatcher"/> did with a client's event or message: whether it has handlers, the
/// first ack value one gave, the rate limit that refused it (then no handler ran), and the first failure
/// (a handler threw, or the arguments did not bind) as the client may see it.
/// </summary>
internal readonly record struct EventOutcome(bool Handled, HandlerResult? Answer, string? RefusedBy, string? Failure = null)
{
    /// <summary>The answer to the client's ack when no handler gave a value: an error if one failed, else none.</summary>
    public ChannelAck? Error => RefusedBy is { } limit ? ChannelAck.RateLimited(limit) : Failure is { } failure ? new ChannelAck(false, failure) : null;
}
