using System.Buffers;
using System.IO.Pipelines;
using System.Net.WebSockets;
using Channels.Protocol;
using Channels.Transport.Handoff;
using Microsoft.AspNetCore.Http;

namespace Channels.Transport;

/// <summary>
/// Engine.IO over one WebSocket: a read loop that hands each frame to the session in order, and a
/// write loop that drains the session's queue, one packet per frame, binary as binary frames (or, for a
/// client that asked for base64 with <c>b64</c> in its query, as <c>b</c> + base64 text frames; a client's
/// <c>b</c> text frames are binary messages either way, as in the reference server).
/// </summary>
internal static partial class WebSocketTransport
{
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);
    private static readonly byte[] Probe = "2probe"u8.ToArray();
    private static readonly byte[] Upgrade = "5"u8.ToArray();

    /// <summary>
    /// No WebSocket-level keep-alive: Engine.IO's own ping every ping interval already keeps the connection
    /// alive and finds dead peers, and ManagedWebSocket's keep-alive would hold a timer per connection.
    /// </summary>
    private static readonly WebSocketAcceptContext AcceptContext = new() { KeepAliveInterval = TimeSpan.Zero };

    /// <summary>
    /// Accepts the WebSocket and serves it to its end: a new session opened on it (<paramref name="upgrading"/>
    /// null: the open packet first; <paramref name="address"/> counts against the unconnected caps until
    /// then), or one that takes over <paramref name="upgrading"/>, a polling session (the probe answered, the
    /// pending GET ended with a NOOP, the switch made on the client's UPGRADE packet). On a connection that
    /// can be taken from Kestrel's HTTP layer (<see cref="HandoffConnection"/>), the request ends with the
    /// handshake and the WebSocket runs on the connection itself; otherwise inside the upgraded request.
    /// </summary>
    public static Task ServeAsync(EngineServer server, HttpContext http, EngineSession? upgrading, string address) =>
        http.Features.Get<HandoffConnection>() is { } handoff && handoff.CanTakeOver(http)
            ? HandOffAsync(server, http, handoff, upgrading, address)
            : ServeInPlaceAsync(server, http, upgrading, address);

    /// <summary>
    /// The handshake answered by Kestrel, the connection taken, the session opened while the request's data
    /// is at hand; the rest runs once Kestrel's HTTP layer has ended (<see cref="WebSocketHandoff"/>).
    /// </summary>
    private static async Task HandOffAsync(EngineServer server, HttpContext http, HandoffConnection handoff, EngineSession? upgrading, string address)
    {
        Microsoft.AspNetCore.Connections.ConnectionContext connection;
        try
        {
            connection = await handoff.TakeOverAsync(http);
        }
        catch when (upgrading is null)
        {
            server.ReleaseUnconnected(address);
            throw;
        }

        var socket = new PipeWebSocket(connection, server.Options.MaxPayloadBytes);
        var session = SessionFor(server, http, upgrading, address, socket);
        var base64 = WantsBase64(http);

        // The open packet goes out now, right behind the 101, not once Kestrel's HTTP layer has unwound: a
        // client that hurries (SocketIOClient 3.0.6 lets an app emit as soon as the handshake is done, before
        // its CONNECT) is not kept waiting longer than by a server that serves the socket in place.
        var opening = upgrading is null ? SendOpenAsync(server, session, socket) : null;
        handoff.Continue(() => RunAsync(server, session, socket, base64, opening));
    }

    /// <summary>The WebSocket accepted by ASP.NET Core and served inside its upgraded request.</summary>
    private static async Task ServeInPlaceAsync(EngineServer server, HttpContext http, EngineSession? upgrading, string address)
    {
        WebSocket socket;
        try
        {
            socket = await http.WebSockets.AcceptWebSocketAsync(AcceptContext);
        }
        catch when (upgrading is null)
        {
            server.ReleaseUnconnected(address);
            throw;
        }

        // The upgraded stream is a CorkedStream when the request went through CorkingUpgradeFeature: the
        // writer then gathers each batch into one write.
        var link = new ManagedWebSocketLink(socket, CorkingUpgradeFeature.StreamOf(http), server.Options.MaxPayloadBytes);
        var base64 = WantsBase64(http);
        var session = SessionFor(server, http, upgrading, address, link);
        http = null!; // not needed any more: the state machine need not keep it
        await RunAsync(server, session, link, base64, upgrading is null ? SendOpenAsync(server, session, link) : null);
    }

    /// <summary>The open packet of a new session, its first frame.</summary>
    private static async Task SendOpenAsync(EngineServer server, EngineSession session, IEngineWebSocket socket) =>
        await socket.SendAsync(server.OpenPacket(session.Id, polling: false), WebSocketMessageType.Text, session.Closed);

    /// <summary>The polling session the WebSocket takes over, or a new one; the socket is let go if it cannot be opened.</summary>
    private static EngineSession SessionFor(EngineServer server, HttpContext http, EngineSession? upgrading, string address, IEngineWebSocket socket)
    {
        try
        {
            return upgrading ?? server.Open(http, EngineTransportKind.WebSocket, address);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Serves an accepted WebSocket to its end: the open packet's send (<paramref name="opening"/>, started by
    /// the caller; null for the upgrade of a polling session, done here), then the reader and, inline, the
    /// writer. An idle connection waits in this one state machine and the reader's.
    /// </summary>
    private static async Task RunAsync(EngineServer server, EngineSession session, IEngineWebSocket socket, bool base64, Task? opening)
    {
        using var _ = socket;
        if (opening is not null)
        {
            await opening;
        }
        else if (!await UpgradeAsync(server, session, socket))
        {
            return;
        }

        var reading = socket.ReadLoopAsync(server, session);

        // The writer: drains the session's queue, one packet per frame.
        var guard = new SendGuard(socket);
        session.OnEnded(static state => ((SendGuard)state).OnClosed(), guard);
        try
        {
            var reader = session.Outbound;
            // No token: ending the session completes the queue, which ends this wait (a token would cost a
            // registration every time the writer goes idle, once per message in a fan-out).
            while (await reader.WaitToReadAsync())
            {
                if (!guard.TryBegin(session.Closed))
                {
                    break;
                }

                socket.Cork();
                try
                {
                    while (reader.TryDequeue(out var frame))
                    {
                        if (!frame.Text.IsEmpty)
                        {
                            await socket.SendAsync(frame.Text, WebSocketMessageType.Text, CancellationToken.None);
                        }

                        if (frame.Binary is { } binary)
                        {
                            for (var i = 0; i < binary.Count; i++)
                            {
                                if (base64)
                                {
                                    await SendBase64Async(socket, binary[i]);
                                }
                                else
                                {
                                    await socket.SendAsync(binary[i], WebSocketMessageType.Binary, CancellationToken.None);
                                }
                            }
                        }

                        server.Metrics.Sent(frame.Size);
                    }

                    await socket.UncorkAsync();
                }
                finally
                {
                    socket.Reset();
                    guard.End();
                }
            }

            session.Abort(session.CloseReason ?? EngineCloseReason.ServerClose);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            session.Abort(EngineCloseReason.TransportError);
        }

        var reason = session.CloseReason ?? EngineCloseReason.ServerClose;
        await CloseQuietlyAsync(socket, CloseStatusOf(reason), reason.ToText());

        // The session is over and our close frame is out: a client that does not answer it is cut off.
        try
        {
            await reading.WaitAsync(CloseGrace, server.Time);
        }
        catch (TimeoutException)
        {
            socket.Abort();
            await reading;
        }
    }

    /// <summary>
    /// Whether the client asked for binary as base64 text (<c>b64</c> with any value in the query, as the
    /// reference server reads it): socket.io-client's <c>forceBase64</c>. Only WebSocket frames change;
    /// polling bodies always carry binary as base64.
    /// </summary>
    private static bool WantsBase64(HttpContext http) => !string.IsNullOrEmpty(http.Request.Query["b64"].ToString());

    /// <summary>
    /// The upgrade of a polling session: answers the probe, ends the pending GET with a NOOP, and switches on
    /// the client's UPGRADE packet; false (the socket closed or given up) when the upgrade does not happen.
    /// </summary>
    private static async Task<bool> UpgradeAsync(EngineServer server, EngineSession session, IEngineWebSocket socket)
    {
        try
        {
            while (true)
            {
                var message = await socket.ReceiveAsync(session.Closed);
                if (message is not { Type: WebSocketMessageType.Text } text)
                {
                    session.CancelUpgrade();
                    await CloseQuietlyAsync(socket, WebSocketCloseStatus.NormalClosure, "upgrade abandoned");
                    return false;
                }

                if (text.Data.Span.SequenceEqual(Probe))
                {
                    await socket.SendAsync(EngineFrame.ProbeReply.Text, WebSocketMessageType.Text, session.Closed);
                    session.ProbeAnswered();
                    session.Polling!.InterruptPoll();
                }
                else if (text.Data.Span.SequenceEqual(Upgrade) && session.CompleteUpgrade())
                {
                    server.Log.SessionUpgraded(session.Id);
                    return true;
                }
                else
                {
                    session.CancelUpgrade();
                    await CloseQuietlyAsync(socket, WebSocketCloseStatus.ProtocolError, "unexpected packet during upgrade");
                    return false;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            session.CancelUpgrade();
            return false;
        }
    }

    /// <summary>Sends a binary message as a text frame, <c>b</c> + base64, from a pooled buffer.</summary>
    private static async ValueTask SendBase64Async(IEngineWebSocket socket, ReadOnlyMemory<byte> data)
    {
        var text = ArrayPool<byte>.Shared.Rent(EngineFrame.Base64Length(data.Length));
        try
        {
            var length = EngineFrame.WriteBase64(data.Span, text);
            await socket.SendAsync(text.AsMemory(0, length), WebSocketMessageType.Text, CancellationToken.None);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(text);
        }
    }

    /// <summary>
    /// The close code for how the session ended: 1009 for a message over the limit, 1000 otherwise. Only the
    /// writer closes a running session's socket, after the session has ended, so the code cannot be raced by
    /// another close (the reader closing with 1009 beside it once lost to the writer's 1000).
    /// </summary>
    private static WebSocketCloseStatus CloseStatusOf(EngineCloseReason reason) =>
        reason == EngineCloseReason.PayloadTooLarge ? WebSocketCloseStatus.MessageTooBig : WebSocketCloseStatus.NormalClosure;

    /// <summary>Sends a close frame (bounded in time) and aborts the socket if the peer does not answer.</summary>
    public static async Task CloseQuietlyAsync(IEngineWebSocket socket, WebSocketCloseStatus status, string reason)
    {
        if (!socket.CanClose)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(CloseGrace);
        try
        {
            await socket.CloseOutputAsync(status, reason.Length > 120 ? reason[..120] : reason, timeout.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            socket.Abort();
        }
    }

    /// <summary>
    /// Lets the writer send without a cancellation token and still be cut short when the session ends.
    /// A cancellable token sends every frame down ManagedWebSocket's slow path (an async state machine and
    /// a token registration per frame); instead, the session calls this once when it ends
    /// (<see cref="EngineSession.OnEnded"/>), which aborts the socket if a batch is being written. An idle writer is left alone, so a normal close still
    /// sends its close frame.
    /// </summary>
    private sealed class SendGuard(IEngineWebSocket socket)
    {
        private int _sending;

        /// <summary>Marks a batch as started; false when the session has already ended.</summary>
        public bool TryBegin(CancellationToken closed)
        {
            // The full fence orders this write before the read of the token: either the writer sees the
            // session ended, or OnClosed sees the batch in flight.
            Interlocked.Exchange(ref _sending, 1);
            if (closed.IsCancellationRequested)
            {
                End();
                return false;
            }

            return true;
        }

        public void End() => Volatile.Write(ref _sending, 0);

        public void OnClosed()
        {
            if (Volatile.Read(ref _sending) == 1)
            {
                socket.Abort();
            }
        }
    }
}
