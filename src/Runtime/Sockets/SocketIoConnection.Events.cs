using Channels.Backplane;
using Channels.Dispatch;
using Channels.Protocol;

namespace Channels.Sockets;

/// <summary>A client's events on the loop: channel requests go to <see cref="ChannelRequests"/>, custom events to their handlers, and the ack answers.</summary>
internal sealed partial class SocketIoConnection
{
    private async ValueTask HandleEventAsync(SocketIoSocket socket, SocketIoPacket packet)
    {
        var name = packet.EventName!;
        MessageLog?.In(socket, name, packet.Size, packet.Arguments!);
        Observer?.EventReceived(socket, name, packet.Arguments!);
        if (ChannelRequests.IsRequest(name))
        {
            await _requests.HandleAsync(socket, name, packet.Arguments!, packet.AckId, _eventLimits);
            return;
        }

        var outcome = await _dispatcher.EventAsync(socket, name, packet.Arguments!, _eventLimits);
        var refusal = outcome.Handled ? null : await _dispatcher.RefuseAsync(socket, "event", $"no handler for event '{ClientText.Excerpt(name)}'", null);
        if (packet.HasAck)
        {
            // The first value a handler gave; else why not (no handler, a rate limit, a failure); else an empty ack.
            var (nsp, id) = (socket.Namespace, packet.AckId);
            socket.Deliver(outcome.Answer is { } answer ? await EncodeAnswerAsync(socket, name, id, answer)
                : (refusal ?? outcome.Error) is { } error ? _encoder.Ack(nsp, id, error)
                : _encoder.AckValue(nsp, id, null, hasValue: false));
        }
    }

    /// <summary>
    /// The ack of a custom event: the handler's value, or an error ack when the value cannot be serialized (a
    /// type the app's JSON options do not declare, a cycle, a converter that throws), so that the client gets an
    /// answer rather than a timeout. The client sees a generic text; the log and <c>[OnError]</c> get the detail.
    /// </summary>
    private async ValueTask<EncodedPacket> EncodeAnswerAsync(SocketIoSocket socket, string name, long ackId, HandlerResult answer)
    {
        try
        {
            return _encoder.AckValue(socket.Namespace, ackId, answer.AckValue, hasValue: true);
        }
        catch (Exception ex)
        {
            _log.AckNotEncoded(ex, ClientText.Excerpt(name), answer.AckValue?.GetType().FullName ?? "null", socket.Id);
            await _dispatcher.ErrorAsync(socket, ex, null);
            return _encoder.Ack(socket.Namespace, ackId, ChannelAck.InternalError);
        }
    }
}
