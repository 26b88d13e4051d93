namespace Channels.Dispatch;

/// <summary>What a handler returned: nothing, a rejection (connect, subscribe) or an ack value (custom events).</summary>
public readonly struct HandlerResult
{
    private HandlerResult(bool rejected, string? message, bool hasAck, object? ack, string? failure = null)
    {
        Rejected = rejected;
        RejectionMessage = message;
        HasAck = hasAck;
        AckValue = ack;
        Failure = failure;
    }

    /// <summary>The handler ran and has nothing to say.</summary>
    public static HandlerResult Continue => default;

    /// <summary>The handler refused a connect or a subscribe.</summary>
    public bool Rejected { get; }

    /// <summary>The message the client sees with a rejection, if the handler gave one.</summary>
    public string? RejectionMessage { get; }

    /// <summary>Whether <see cref="AckValue"/> answers the client's ack.</summary>
    public bool HasAck { get; }

    /// <summary>The value sent as the ack's argument (serialized through the app's JSON options).</summary>
    public object? AckValue { get; }

    /// <summary>Refuses a connect or subscribe.</summary>
    public static HandlerResult Reject(string? message = null) => new(true, message, false, null);

    /// <summary>Answers the client's ack with <paramref name="value"/>; a <see cref="ChannelPayload"/> is sent as the arguments it holds.</summary>
    public static HandlerResult Ack(object? value) => new(false, null, true, value);

    /// <summary>The handler failed (it threw, or the client's arguments did not bind): what the client's ack says.</summary>
    internal string? Failure { get; }

    /// <summary>A handler that failed; <paramref name="failure"/> is the text the client sees.</summary>
    internal static HandlerResult Failed(string failure) => new(false, null, false, null, failure);

    /// <summary>A connect or subscribe handler that threw: a rejection, and a failure for traces and metrics.</summary>
    internal static HandlerResult Crashed(string message) => new(true, message, false, null, message);

    /// <summary>Accepts when <paramref name="accepted"/> is true, otherwise rejects.</summary>
    public static HandlerResult FromBoolean(bool accepted) => accepted ? default : Reject();
}
