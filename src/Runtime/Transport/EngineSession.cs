using System.Diagnostics;
using Channels.Protocol;

namespace Channels.Transport;

/// <summary>
/// One Engine.IO session: its bounded outbound queue, its heartbeat, and the state shared by the
/// polling and WebSocket transports that serve it (one GET and one POST at a time, the upgrade).
/// </summary>
internal sealed class EngineSession
{
    private readonly EngineServer _server;
    private readonly OutboundQueue _queue = new();
    private readonly CancellationTokenSource _lifetime = new();
    private readonly Lock _gate = new();
    private readonly int _maxPackets;
    private readonly long _maxBytes;
    private long _queuedBytes;
    private int _queuedFrames;
    private volatile State _state;
    private CancellationTokenSource? _poll;
    private bool _posting;
    private bool _noopPending;
    private byte[] _pollReply = EngineFrame.Close.Text.ToArray();
    private TaskCompletionSource? _pong;
    private long _pongDeadline;
    private string? _closeReason;
    private bool _farewell;

    public EngineSession(EngineServer server, string id, EngineTransportKind transport)
    {
        _server = server;
        Id = id;
        _state = transport == EngineTransportKind.Polling ? State.Polling : State.WebSocket;
        _maxPackets = server.Options.MaxOutboundPackets;
        _maxBytes = server.Options.MaxOutboundBytes;
    }

    private enum PollStart
    {
        Wait,
        Reject,
        Duplicate,
        Noop,
    }

    private enum State
    {
        Polling,
        Upgrading,
        WebSocket,
        Closing,
        Closed,
    }

    public string Id { get; }

    /// <summary>The layer above; set once, right after the session is created.</summary>
    public IEngineHandler Handler { get; set; } = null!;

    /// <summary>Cancelled when the session has ended.</summary>
    public CancellationToken Closed => _lifetime.Token;

    public bool IsClosed => _state == State.Closed;

    /// <summary>
    /// Closed by the client's CLOSE packet while no GET was pending: the next GET still gets the NOOP
    /// that ends it cleanly (as if it had been pending), then the sid is gone.
    /// </summary>
    public bool OwesFarewell => Volatile.Read(ref _farewell);

    public string? CloseReason => _closeReason;

    public EngineTransportKind Transport => _state == State.WebSocket ? EngineTransportKind.WebSocket : EngineTransportKind.Polling;

    internal OutboundQueue Outbound => _queue;

    /// <summary>A ping went unanswered for longer than the ping timeout.</summary>
    public bool IsPingOverdue
    {
        get
        {
            var deadline = Interlocked.Read(ref _pongDeadline);
            return deadline != 0 && Stopwatch.GetTimestamp() > deadline;
        }
    }

    public void Start() => _ = HeartbeatAsync();

    /// <summary>
    /// Queues a packet for the client. A client whose queue is full is too slow: its session is closed
    /// and false is returned; nothing waits and nothing grows.
    /// </summary>
    public bool TrySend(in EngineFrame frame)
    {
        // Counted here with Interlocked, so the bound is checked without taking the queue's lock.
        var frames = Interlocked.Increment(ref _queuedFrames);
        var bytes = Interlocked.Add(ref _queuedBytes, frame.Size);
        if (frames > _maxPackets || bytes > _maxBytes)
        {
            Unqueued(frame);
            if (!IsClosed)
            {
                _server.Log.SlowConsumer(Id, frames - 1, bytes - frame.Size);
                Abort("slow consumer: outbound queue full");
            }

            return false;
        }

        return Enqueue(frame);
    }

    /// <summary>Takes the next queued packet, if any.</summary>
    public bool TryDequeue(out EngineFrame frame)
    {
        if (_queue.TryDequeue(out frame))
        {
            Unqueued(frame);
            return true;
        }

        return false;
    }

    /// <summary>Queues a control packet (ping, close), which the data bound does not refuse.</summary>
    private bool TrySendControl(EngineFrame frame)
    {
        Interlocked.Increment(ref _queuedFrames);
        Interlocked.Add(ref _queuedBytes, frame.Size);
        return Enqueue(frame);
    }

    /// <summary>Queues a frame already counted; uncounts it when the queue is complete.</summary>
    private bool Enqueue(in EngineFrame frame)
    {
        if (_queue.TryEnqueue(frame))
        {
            return true;
        }

        Unqueued(frame);
        return false;
    }

    private void Unqueued(in EngineFrame frame)
    {
        Interlocked.Decrement(ref _queuedFrames);
        Interlocked.Add(ref _queuedBytes, -frame.Size);
    }

    /// <summary>Handles a packet from either transport, in order.</summary>
    public ValueTask ReceiveAsync(EnginePacket packet)
    {
        switch (packet.Type)
        {
            case EnginePacketType.Message:
                _server.Metrics.Received(packet.Data.Length);
                return Handler.OnMessageAsync(packet);
            case EnginePacketType.Pong:
                Interlocked.Exchange(ref _pongDeadline, 0);
                Volatile.Read(ref _pong)?.TrySetResult();
                return ValueTask.CompletedTask;
            case EnginePacketType.Close:
                Abort("client close", EngineFrame.Noop);
                return ValueTask.CompletedTask;
            case EnginePacketType.Noop:
            case EnginePacketType.Ping:
                return ValueTask.CompletedTask;
            default:
                _server.Log.InvalidPacket(Id, $"unexpected packet type {packet.Type}");
                Abort("invalid packet");
                return ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// Ends the session after what is queued has been written: a CLOSE packet goes last, then the
    /// transport ends. A client that never collects it is dropped after the ping timeout.
    /// </summary>
    public void Close(string reason)
    {
        lock (_gate)
        {
            if (_state is State.Closing or State.Closed)
            {
                return;
            }

            _closeReason = reason;
            TrySendControl(EngineFrame.Close);
            _state = State.Closing;
            _queue.Complete();
        }

        _ = Task.Delay(_server.Options.PingTimeout, Closed).ContinueWith(
            static (_, state) => ((EngineSession)state!).Abort("close timeout"),
            this,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnRanToCompletion,
            TaskScheduler.Default);
    }

    /// <summary>Ends the session now. A pending GET is answered with <paramref name="pollReply"/> (CLOSE by default).</summary>
    public void Abort(string reason, EngineFrame? pollReply = null)
    {
        lock (_gate)
        {
            if (_state == State.Closed)
            {
                return;
            }

            _farewell = pollReply is not null && _poll is null && _state is State.Polling or State.Upgrading;
            _state = State.Closed;
            _closeReason ??= reason;
            _pollReply = (pollReply ?? EngineFrame.Close).Text.ToArray();
            _poll?.Cancel();
            _queue.Complete();
        }

        _lifetime.Cancel();
        if (_farewell)
        {
            _ = Task.Delay(FarewellGrace).ContinueWith(static (_, state) => ((EngineSession)state!).EndFarewell(), this, TaskScheduler.Default);
        }
        else
        {
            _server.Remove(this);
        }

        _server.Log.SessionClosed(Id, _closeReason ?? reason);
        Handler?.OnClosed(_closeReason ?? reason);
    }

    private static readonly TimeSpan FarewellGrace = TimeSpan.FromSeconds(1);

    private bool EndFarewell()
    {
        lock (_gate)
        {
            if (!_farewell)
            {
                return false;
            }

            _farewell = false;
        }

        _server.Remove(this);
        return true;
    }

    // ---- polling ----

    /// <summary>Answers a GET: waits for packets, then sends everything queued in one body.</summary>
    public async Task PollAsync(HttpContext http)
    {
        PollStart start;
        CancellationTokenSource? poll = null;
        lock (_gate)
        {
            if (_state is State.Closed or State.WebSocket)
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
            case PollStart.Reject when EndFarewell():
                await WriteBodyAsync(http, EngineFrame.Noop.Text);
                return;
            case PollStart.Reject:
                await EngineServer.RejectAsync(http, "Session is not polling");
                return;
            case PollStart.Duplicate:
                _server.Log.InvalidRequest(Id, "concurrent GET on a polling session");
                Abort("duplicate poll");
                await EngineServer.RejectAsync(http, "Concurrent GET requests on one session");
                return;
            case PollStart.Noop:
                await WriteBodyAsync(http, EngineFrame.Noop.Text);
                return;
        }

        try
        {
            var body = new System.Buffers.ArrayBufferWriter<byte>(256);
            var first = true;
            while (body.WrittenCount == 0)
            {
                bool hasData;
                try
                {
                    hasData = await _queue.WaitToReadAsync(poll!.Token);
                }
                catch (OperationCanceledException)
                {
                    if (http.RequestAborted.IsCancellationRequested)
                    {
                        Abort("poll aborted by client");
                        return;
                    }

                    await WriteBodyAsync(http, Volatile.Read(ref _pollReply));
                    return;
                }

                if (!hasData)
                {
                    await WriteBodyAsync(http, EngineFrame.Close.Text.ToArray());
                    Abort(_closeReason ?? "closed");
                    return;
                }

                // A wake with nothing left to take (another reader took it) waits again.
                while (TryDequeue(out var frame))
                {
                    PollingPayload.Encode(body, frame, ref first);
                }
            }

            _server.Metrics.Sent(body.WrittenCount);
            await WriteBodyAsync(http, body.WrittenMemory);
            if (_queue.IsDrained)
            {
                Abort(_closeReason ?? "closed");
            }
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

    /// <summary>Takes a POST body: decodes every packet first, then handles them in order.</summary>
    public async Task PostAsync(HttpContext http)
    {
        bool accepted, duplicate;
        lock (_gate)
        {
            duplicate = _posting;
            accepted = !duplicate && _state is State.Polling or State.Upgrading;
            _posting |= accepted;
        }

        if (!accepted)
        {
            if (duplicate)
            {
                _server.Log.InvalidRequest(Id, "concurrent POST on a polling session");
                Abort("duplicate post");
            }

            await EngineServer.RejectAsync(http, "Session is not accepting POST requests");
            return;
        }

        try
        {
            var max = _server.Options.MaxPayloadBytes;
            if (http.Request.ContentLength > max)
            {
                _server.Log.PayloadTooLarge(Id, http.Request.ContentLength.Value, max);
                Abort("payload too large");
                await EngineServer.RejectAsync(http, "Payload too large", StatusCodes.Status413PayloadTooLarge);
                return;
            }

            var body = await ReadBodyAsync(http, max);
            if (body is null)
            {
                _server.Log.PayloadTooLarge(Id, max + 1, max);
                Abort("payload too large");
                await EngineServer.RejectAsync(http, "Payload too large", StatusCodes.Status413PayloadTooLarge);
                return;
            }

            var packets = new List<EnginePacket>();
            if (!PollingPayload.TryDecode(body, packets))
            {
                _server.Log.InvalidPacket(Id, "invalid polling body");
                Abort("invalid packet");
                await EngineServer.RejectAsync(http, "Invalid payload");
                return;
            }

            foreach (var packet in packets)
            {
                await ReceiveAsync(packet);
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

    private static async Task<byte[]?> ReadBodyAsync(HttpContext http, int max)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            if (buffer.Length + read > max)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static Task WriteBodyAsync(HttpContext http, ReadOnlyMemory<byte> body)
    {
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "text/plain; charset=UTF-8";
        http.Response.ContentLength = body.Length;
        return http.Response.Body.WriteAsync(body).AsTask();
    }

    // ---- upgrade ----

    /// <summary>A WebSocket with this sid asks to take over. Only one, only from polling.</summary>
    public bool TryBeginUpgrade()
    {
        lock (_gate)
        {
            if (_state != State.Polling)
            {
                return false;
            }

            _state = State.Upgrading;
            return true;
        }
    }

    /// <summary>After the probe: ends the pending GET (or the next one) with a NOOP so the client can switch.</summary>
    public void InterruptPoll()
    {
        lock (_gate)
        {
            if (_poll is not null)
            {
                _pollReply = EngineFrame.Noop.Text.ToArray();
                _poll.Cancel();
            }
            else
            {
                _noopPending = true;
            }
        }
    }

    public bool CompleteUpgrade()
    {
        lock (_gate)
        {
            if (_state != State.Upgrading)
            {
                return false;
            }

            _state = State.WebSocket;
            _noopPending = false;
            return true;
        }
    }

    public void CancelUpgrade()
    {
        lock (_gate)
        {
            if (_state == State.Upgrading)
            {
                _state = State.Polling;
                _noopPending = false;
            }
        }
    }

    // ---- heartbeat ----

    private async Task HeartbeatAsync()
    {
        var interval = _server.Options.PingInterval;
        var timeout = _server.Options.PingTimeout;
        try
        {
            while (true)
            {
                await Task.Delay(interval, Closed).ConfigureAwait(false);
                var pong = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                Volatile.Write(ref _pong, pong);
                Interlocked.Exchange(ref _pongDeadline, Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency));
                if (!TrySendControl(EngineFrame.Ping))
                {
                    return;
                }

                try
                {
                    await pong.Task.WaitAsync(timeout, Closed).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    Abort("ping timeout");
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
