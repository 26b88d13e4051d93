namespace Channels.Testing;

/// <summary>
/// A test client could not do what the test asked: the server refused the connection, the connection ended
/// while a test waited, or an answer was not what the protocol says.
/// </summary>
public sealed class ChannelsTestException : Exception
{
    /// <summary>Creates the exception with its message.</summary>
    public ChannelsTestException(string message)
        : base(message)
    {
    }
}
