namespace Channels;

/// <summary>
/// Thrown from an <c>[OnConnect]</c> or <c>[OnSubscribe]</c> handler to refuse, with a message the
/// client sees (in CONNECT_ERROR or in the subscribe ack).
/// </summary>
public class ChannelRejectedException : Exception
{
    /// <summary>Refuses with a default message.</summary>
    public ChannelRejectedException()
        : base("Rejected")
    {
    }

    /// <summary>Refuses with <paramref name="message"/>, which the client sees.</summary>
    public ChannelRejectedException(string message)
        : base(message)
    {
    }

    /// <summary>Refuses with <paramref name="message"/>, which the client sees.</summary>
    public ChannelRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// What <c>[OnError]</c> handlers receive when a client sent something the server refused: an
/// invalid packet, an unknown event, a bad channel name, a publish to a channel it is not in.
/// </summary>
public class ChannelProtocolException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ChannelProtocolException()
    {
    }

    /// <summary>Creates the exception with the reason.</summary>
    public ChannelProtocolException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the reason and cause.</summary>
    public ChannelProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
