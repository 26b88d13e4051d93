using Channels.Diagnostics;
using Channels.Protocol;
using Channels.Transport;

namespace Channels.Sockets;

/// <summary>
/// The read side of a connection: decodes Engine.IO messages into whole Socket.IO packets, applies the
/// client's rate limits, resolves acks at once (never queued behind events), and queues everything else
/// on the connection's loop. Called by the transport, one message at a time.
/// </summary>
internal sealed class PacketReceiver(
    SocketIoConnection connection,
    ConnectionLoop loop,
    ChannelsOptions options,
    PacketEncoder encoder,
    ChannelsLog log,
    TimeProvider time)
{
    private static readonly ChannelAck RateLimited = new(false, "rate limit exceeded");

    private readonly SocketIoDecoder _decoder = new(options.MaxAttachments);
    private readonly InboundRateLimit _rate = new(options, time);

    private EngineSession Session => connection.Session;

    public async ValueTask ReceiveAsync(EnginePacket message)
    {
        SocketIoPacket? packet;
        try
        {
            packet = _decoder.Decode(message);
        }
        catch (SocketIoDecodeException invalid)
        {
            Fail(invalid.Message);
            return;
        }

        if (packet is null || !Admit(packet))
        {
            return;
        }

        if (packet.Type is not (SocketIoPacketType.Ack or SocketIoPacketType.BinaryAck))
        {
            await loop.PostAsync(packet, packet.Size, Session.Closed);
        }
        else if (connection.FindSocket(packet.Namespace) is { } socket)
        {
            socket.ResolveAck(packet.AckId, packet.Arguments!);
        }
        else
        {
            Fail($"ACK for namespace {packet.Namespace}, which is not connected");
        }
    }

    /// <summary>
    /// The client's rate limits: a packet over them is refused (an event's ack says so), and a client that
    /// goes on sending for another burst is disconnected.
    /// </summary>
    private bool Admit(SocketIoPacket packet)
    {
        switch (_rate.Check(packet.Size))
        {
            case RateVerdict.Accepted:
                return true;
            case RateVerdict.Refused:
                if (packet.HasAck && packet.Type is SocketIoPacketType.Event or SocketIoPacketType.BinaryEvent
                    && connection.FindSocket(packet.Namespace) is { } socket)
                {
                    socket.Deliver(encoder.Ack(packet.Namespace, packet.AckId, RateLimited));
                }

                return false;
            default:
                log.RateLimited(Session.Id);
                Session.Abort(EngineCloseReason.RateLimited);
                return false;
        }
    }

    /// <summary>An invalid packet: logged, reported to the sockets' <c>[OnError]</c> on the loop, session closed.</summary>
    private void Fail(string reason)
    {
        log.InvalidPacket(Session.Id, reason);
        loop.PostInvalid(reason);
        Session.Abort(EngineCloseReason.InvalidPacket);
    }
}
