using System.Buffers;
using Channels.Protocol;

namespace Channels.Transport;

/// <summary>
/// Engine.IO over HTTP long-polling, for one session: a GET waits for packets and takes everything queued
/// in one body; a POST carries packets from the client. One GET and one POST at a time. Retired once the
/// session has moved to WebSocket.
/// </summary>
internal sealed class PollingTransport(EngineServer server, EngineSession session)
{
    /// <summary>How long a session closed by the client's CLOSE, with no GET pending, still answers one GET.</summary>
    public static readonly TimeSpan FarewellGrace = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private CancellationTokenSource? _poll;
    private bool _posting;
    private bool _noopPending;
    private bool _retired;
    private bool _farewell;
    private EngineFrame _pollReply = EngineFrame.Close;

    private enum PollStart
    {
        Wait,
        Reject,
        Farewell,
        Duplicate,
        Noop,
    }

    /// <summary>
    /// Closed by the client's CLOSE packet while no GET was pending: the next GET still gets the NOOP
    /// that ends it cleanly (as if it had been pending), then the sid is gone.
    /// </summary>
    public bool OwesFarewell
    {
        get
        {
            lock (_gate)
            {
                return _farewell;
            }
        }
    }

    /// <summary>A POST is being read or handled (the upgrade waits for it: one reader of the client's packets).</summary>
    public bool IsPosting
    {
        get
        {
            lock (_gate)
            {
                return _posting;
            }
        }
    }

    /// <summary>Answers a GET: waits for packets, then sends everything queued in one body.</summary>
    public async Task PollAsync(HttpContext http)
    {
        PollStart start;
        CancellationTokenSource? poll = null;
        lock (_gate)
        {
            if (_farewell)
            {
                _farewell = false;
                start = PollStart.Farewell;
            }
            else if (_retired)
            {
                start = PollStart.Reject;
            }
            else if (_poll is not null)
            {
                start = PollStart.Duplicate;
            }
            else if (_noopPending)
            {
                _noopPending = false;
                start = PollStart.Noop;
            }
            else
            {
                start = PollStart.Wait;
                poll = _poll = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
            }
        }

        switch (start)
        {
            case PollStart.Farewell:
                session.Forget();
                await PollingBodies.WriteAsync(http, EngineFrame.Noop.Text);
                return;
            case PollStart.Reject:
                await EngineServer.RejectAsync(http, EngineErrorCode.BadRequest, "Session is not polling");
                return;
            case PollStart.Duplicate:
                server.Log.InvalidRequest(session.Id, "concurrent GET on a polling session");
                session.Abort(EngineCloseReason.InvalidRequest);
                await EngineServer.RejectAsync(http, EngineErrorCode.BadRequest, "Concurrent GET requests on one session");
                return;
            case PollStart.Noop:
                await PollingBodies.WriteAsync(http, EngineFrame.Noop.Text);
                return;
        }

        try
        {
            await AnswerPollAsync(http, poll!.Token);
        }
        finally
        {
            lock (_gate)
            {
                if (_poll == poll)
                {
                    _poll = null;
                }
            }

            poll!.Dispose();
        }
    }

    private async Task AnswerPollAsync(HttpContext http, CancellationToken poll)
    {
        var queue = session.Outbound;
        var body = new ArrayBufferWriter<byte>(256);
        var first = true;
        while (body.WrittenCount == 0)
        {
            bool hasData;
            try
            {
                hasData = await queue.WaitToReadAsync(poll);
            }
            catch (OperationCanceledException)
            {
                if (http.RequestAborted.IsCancellationRequested)
                {
                    session.Abort(EngineCloseReason.PollAborted);
                    return;
                }

                EngineFrame reply;
                lock (_gate)
                {
                    reply = _pollReply;
                }

                await PollingBodies.WriteAsync(http, reply.Text);
                return;
            }

            if (!hasData)
            {
                await PollingBodies.WriteAsync(http, EngineFrame.Close.Text);
                session.Abort(session.CloseReason ?? EngineCloseReason.ServerClose);
                return;
            }

            // A wake with nothing left to take (another reader took it) waits again.
            while (queue.TryDequeue(out var frame))
            {
                PollingPayload.Encode(body, frame, ref first);
            }
        }

        server.Metrics.Sent(body.WrittenCount);
        await PollingBodies.WriteAsync(http, body.WrittenMemory);
        if (queue.IsDrained)
        {
            session.Abort(session.CloseReason ?? EngineCloseReason.ServerClose);
        }
    }

    /// <summary>Takes a POST body: decodes every packet first, then hands them to the session in order.</summary>
    public async Task PostAsync(HttpContext http)
    {
        bool accepted, duplicate;
        lock (_gate)
        {
            duplicate = _posting;
            accepted = !duplicate && !_retired && session.IsPolling;
            _posting |= accepted;
        }

        if (!accepted)
        {
            if (duplicate)
            {
                server.Log.InvalidRequest(session.Id, "concurrent POST on a polling session");
                session.Abort(EngineCloseReason.InvalidRequest);
            }

            await EngineServer.RejectAsync(http, EngineErrorCode.BadRequest, "Session is not accepting POST requests");
            return;
        }

        try
        {
            var max = server.Options.MaxPayloadBytes;
            byte[]? body;
            try
            {
                body = http.Request.ContentLength > max ? null : await PollingBodies.ReadAsync(http, max);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or BadHttpRequestException)
            {
                // The client went away in the middle of its body: nothing of it is taken, the session ends.
                session.Abort(EngineCloseReason.TransportError);
                return;
            }

            if (body is null)
            {
                server.Log.PayloadTooLarge(session.Id, http.Request.ContentLength ?? max + 1L, max);
                session.Abort(EngineCloseReason.PayloadTooLarge);
                await EngineServer.RejectAsync(http, EngineErrorCode.BadRequest, "Payload too large", StatusCodes.Status413PayloadTooLarge);
                return;
            }

            var packets = new List<EnginePacket>();
            if (!PollingPayload.TryDecode(body, packets))
            {
                server.Log.InvalidPacket(session.Id, "invalid polling body");
                session.Abort(EngineCloseReason.InvalidPacket);
                await EngineServer.RejectAsync(http, EngineErrorCode.BadRequest, "Invalid payload");
                return;
            }

            foreach (var packet in packets)
            {
                await session.ReceiveAsync(packet);
            }

            http.Response.ContentType = "text/html";
            await http.Response.Body.WriteAsync("ok"u8.ToArray());
        }
        finally
        {
            lock (_gate)
            {
                _posting = false;
            }
        }
    }

    // ---- called by the session ----

    /// <summary>
    /// After the upgrade probe: ends the pending GET (or the next one) with a NOOP so the client can switch.
    /// </summary>
    public void InterruptPoll()
    {
        lock (_gate)
        {
            if (_poll is not null)
            {
                _pollReply = EngineFrame.Noop;
                _poll.Cancel();
            }
            else
            {
                _noopPending = true;
            }
        }
    }

    /// <summary>The upgrade was abandoned: polling goes on as before.</summary>
    public void CancelInterrupt()
    {
        lock (_gate)
        {
            _noopPending = false;
        }
    }

    /// <summary>
    /// The session moved to WebSocket: a GET still pending is answered with a NOOP (the WebSocket writer
    /// is now the queue's one reader), and later GETs and POSTs are refused.
    /// </summary>
    public void Retire()
    {
        lock (_gate)
        {
            _retired = true;
            _noopPending = false;
            if (_poll is not null)
            {
                _pollReply = EngineFrame.Noop;
                _poll.Cancel();
            }
        }
    }

    /// <summary>
    /// The session ended: the pending GET, if any, is answered with <paramref name="reply"/>. Returns true
    /// when no GET was pending and one is owed (the client's CLOSE), so the session stays findable for it.
    /// </summary>
    public bool End(EngineFrame reply, bool owesFarewell)
    {
        lock (_gate)
        {
            _retired = true;
            _pollReply = reply;
            if (_poll is not null)
            {
                _poll.Cancel();
                return false;
            }

            _farewell = owesFarewell;
            return owesFarewell;
        }
    }

    /// <summary>The grace is over: a farewell nobody collected is dropped with the session.</summary>
    public void TryEndFarewell()
    {
        lock (_gate)
        {
            if (!_farewell)
            {
                return;
            }

            _farewell = false;
        }

        session.Forget();
    }
}
