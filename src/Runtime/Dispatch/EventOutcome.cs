namespace Channels.Dispatch;

/// <summary>
/// What <see cref="ChannelDispatcher.EventAsync"/> did with a custom event: whether the event has handlers,
/// the first ack value one gave, and the rate limit that refused it (then no handler ran).
/// </summary>
internal readonly record struct EventOutcome(bool Handled, HandlerResult? Answer, string? RefusedBy);
