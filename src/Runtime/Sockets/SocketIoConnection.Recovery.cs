using System.Text.Json;
using Channels.Protocol;
using Channels.Transport;

namespace Channels.Sockets;

/// <summary>
/// Connection-state recovery on the connection's side: a CONNECT that names a suspended session
/// (<c>{"pid":…,"offset":…}</c>, as socket.io-client sends it) gets that socket back, the events it missed
/// before the CONNECT reply, and the same id; anything that does not check out gets a fresh session.
/// </summary>
internal sealed partial class SocketIoConnection
{
    /// <summary>The private id and offset a CONNECT payload carries, when it has a string <c>pid</c> (the offset is optional).</summary>
    private static (string Pid, string? Offset)? RecoveryRequest(JsonElement auth)
    {
        if (auth.ValueKind != JsonValueKind.Object
            || !auth.TryGetProperty("pid"u8, out var pid) || pid.ValueKind != JsonValueKind.String
            || pid.GetString() is not { Length: > 0 and <= 64 } id)
        {
            return null;
        }

        string? offset = null;
        if (auth.TryGetProperty("offset"u8, out var given))
        {
            if (given.ValueKind != JsonValueKind.String || given.GetString() is not { } text)
            {
                return null;
            }

            offset = text;
        }

        return (id, offset);
    }

    /// <summary>
    /// Restores the session <paramref name="pid"/> names: false (a fresh session follows) when there is none
    /// or what its client missed cannot be told exactly; then the session's socket ends here, with its
    /// handlers (this server took the session, so it owns its end).
    /// </summary>
    private async ValueTask<bool> TryRecoverAsync(SuspendedSockets recovery, string nsp, JsonElement auth, string pid, string? offset)
    {
        if (await recovery.TakeAsync(nsp, pid) is not { } taken)
        {
            return false;
        }

        var record = taken.Record;
        SocketIoSocket socket;
        if (taken.Local is { } local)
        {
            // Back on the server that kept it: the very socket, its context and channels as they are; no handler runs.
            socket = local;
            socket.Reattach(this, auth);
        }
        else
        {
            // From another server: the same id and channels; the context was that server's, so [OnConnect] runs
            // here (with Recovered true) to build it again. [OnSubscribe] does not run for the channels.
            socket = new SocketIoSocket(this, nsp, auth, _server, _options.MaxOutboundPackets, new(pid, record.SocketId, record.Start, Recovered: true));
            _registry.AddSocket(socket);
            await _requests.RestoreAsync(socket, record.Channels);
        }

        var missed = record.ReplayStart(offset) is { } start ? await recovery.ReadMissedAsync(socket, start) : null;
        if (missed is null)
        {
            _log.RecoveryRefused(record.SocketId, offset is null ? "no offset" : $"offset '{ClientText.Excerpt(offset)}' cannot be replayed from");
            // The session was taken, so this server owns its end: the close handlers run here.
            await FinishAsync(socket, taken.LocalReason, runHandlers: true);
            return false;
        }

        if (taken.Local is null)
        {
            var result = await _dispatcher.ConnectAsync(socket);
            if (socket.IsFinishing || result.Rejected)
            {
                var message = socket.IsFinishing ? "Disconnected by the server" : result.RejectionMessage ?? "Connection rejected";
                Session.TrySend(EngineFrame.FromPacket(SocketIoFrames.ConnectError(nsp, message)));
                await FinishAsync(socket, DisconnectReason.ForcedServerClose, runHandlers: false);
                return true;
            }
        }

        lock (_gate)
        {
            _sockets.Set(nsp, socket);
        }

        Interlocked.Exchange(ref _connectTimer, null)?.Dispose();
        Session.MarkEstablished();
        _registry.AddSocket(socket);
        socket.CompleteConnect(missed.Packets, missed.UpTo);
        _log.SocketRecovered(socket.Id, nsp, missed.Packets.Count);
        if (Observer is not null)
        {
            await Observer.ConnectedAsync(socket);
        }

        return true;
    }

    /// <summary>
    /// A suspended socket's window is over (or its session was taken by another server, when
    /// <paramref name="runHandlers"/> is false): the close sequence, without a loop (its client cannot send
    /// anything, and server calls on a suspended socket do nothing).
    /// </summary>
    internal ValueTask EndSuspendedAsync(SocketIoSocket socket, DisconnectReason reason, bool runHandlers) =>
        FinishAsync(socket, reason, runHandlers, handedOff: !runHandlers);
}
