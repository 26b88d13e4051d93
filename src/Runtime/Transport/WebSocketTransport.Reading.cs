using System.Net.WebSockets;
using Channels.Protocol;

namespace Channels.Transport;

/// <summary>Reading: each message from the client to its session, whichever <see cref="IEngineWebSocket"/> read it.</summary>
internal static partial class WebSocketTransport
{
    /// <summary>
    /// One message from the client to its session; false when reading ends: the client closed (null), the
    /// message was too large (the writer then closes the socket with 1009) or is not an Engine.IO packet.
    /// </summary>
    internal static async ValueTask<bool> DeliverAsync(EngineServer server, EngineSession session, WebSocketMessage? message)
    {
        if (message is null)
        {
            session.Abort(EngineCloseReason.TransportClose);
            return false;
        }

        if (message.Value.TooLarge)
        {
            server.Log.PayloadTooLarge(session.Id, message.Value.Size, server.Options.MaxPayloadBytes);
            session.Abort(EngineCloseReason.PayloadTooLarge); // the writer then closes with 1009
            return false;
        }

        // The frame's buffer is reused: a packet keeps a copy (a "b" frame is decoded into its own array).
        var data = message.Value.Data;
        EnginePacket packet;
        if (message.Value.Type == WebSocketMessageType.Binary)
        {
            packet = EnginePacket.Binary(data.ToArray());
        }
        else if (!EnginePacket.TryParseTextFrame(EnginePacket.IsBase64(data.Span) ? data : data.ToArray(), out packet))
        {
            server.Log.InvalidPacket(session.Id, "invalid Engine.IO packet");
            session.Abort(EngineCloseReason.InvalidPacket);
            return false;
        }

        await session.ReceiveAsync(packet);
        return true;
    }
}
