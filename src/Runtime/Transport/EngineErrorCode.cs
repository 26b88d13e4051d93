namespace Channels.Transport;

/// <summary>The error codes of an Engine.IO HTTP error body (<c>{"code":…,"message":…}</c>), as engine.io numbers them.</summary>
internal enum EngineErrorCode
{
    /// <summary><c>transport</c> is missing or not one of ours.</summary>
    UnknownTransport = 0,

    /// <summary>No session with that <c>sid</c>, or not on this transport any more.</summary>
    UnknownSid = 1,

    /// <summary>A handshake that is not a GET (polling).</summary>
    BadHandshakeMethod = 2,

    /// <summary>Anything else that is wrong with the request.</summary>
    BadRequest = 3,

    /// <summary>Refused by policy (origin).</summary>
    Forbidden = 4,

    /// <summary><c>EIO</c> is missing or not 4.</summary>
    UnsupportedProtocolVersion = 5,
}
