namespace Channels.Transport;

/// <summary>The transports of Engine.IO v4.</summary>
internal enum EngineTransportKind
{
    Polling,
    WebSocket,
}
