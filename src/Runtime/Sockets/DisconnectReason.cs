using Channels.Transport;

namespace Channels.Sockets;

/// <summary>Why a socket left its namespace, as socket.io names the reasons.</summary>
internal enum DisconnectReason
{
    /// <summary>The connection dropped (the client went away without a word).</summary>
    TransportClose,

    /// <summary>Reading or writing the connection failed.</summary>
    TransportError,

    /// <summary>The client closed the whole connection (Engine.IO CLOSE).</summary>
    ClientClose,

    /// <summary>The client left this namespace (Socket.IO DISCONNECT).</summary>
    ClientNamespaceDisconnect,

    /// <summary>The server disconnected the socket (<see cref="ChannelSocket.DisconnectAsync"/>).</summary>
    ServerNamespaceDisconnect,

    /// <summary>The client stopped answering pings.</summary>
    PingTimeout,

    /// <summary>The client sent something invalid, and the connection was closed.</summary>
    ParseError,

    /// <summary>The server closed the connection for another reason (a slow reader, a limit, a timeout).</summary>
    ForcedServerClose,

    /// <summary>The server is shutting down.</summary>
    ServerShuttingDown,
}

/// <summary>Texts for logs, and the mapping from the session's reasons.</summary>
internal static class DisconnectReasons
{
    /// <summary>Whether the client itself left, which is when <c>[OnDisconnect]</c> runs.</summary>
    public static bool ClientLeft(this DisconnectReason reason) =>
        reason is DisconnectReason.ClientClose or DisconnectReason.ClientNamespaceDisconnect;

    public static DisconnectReason FromSession(EngineCloseReason reason) => reason switch
    {
        EngineCloseReason.TransportClose or EngineCloseReason.PollAborted => DisconnectReason.TransportClose,
        EngineCloseReason.TransportError => DisconnectReason.TransportError,
        EngineCloseReason.ClientClose => DisconnectReason.ClientClose,
        EngineCloseReason.PingTimeout => DisconnectReason.PingTimeout,
        EngineCloseReason.InvalidPacket or EngineCloseReason.InvalidRequest => DisconnectReason.ParseError,
        _ => DisconnectReason.ForcedServerClose,
    };

    public static string ToText(this DisconnectReason reason) => reason switch
    {
        DisconnectReason.TransportClose => "transport close",
        DisconnectReason.TransportError => "transport error",
        DisconnectReason.ClientClose => "client close",
        DisconnectReason.ClientNamespaceDisconnect => "client namespace disconnect",
        DisconnectReason.ServerNamespaceDisconnect => "server namespace disconnect",
        DisconnectReason.PingTimeout => "ping timeout",
        DisconnectReason.ParseError => "parse error",
        DisconnectReason.ForcedServerClose => "forced server close",
        DisconnectReason.ServerShuttingDown => "server shutting down",
        _ => reason.ToString(),
    };
}
