using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.SignalR.Client;

namespace Channels.Bench.Load;

/// <summary>One connection of the load: subscribe to a channel, publish to it, count what arrives.</summary>
internal interface ILoadClient : IAsyncDisposable
{
    long Received { get; }

    /// <summary>When set, each received payload of the form <c>t&lt;Stopwatch ticks&gt;</c> records its latency here (ms).</summary>
    LatencyLog? Latencies { get; set; }

    /// <summary>When set, each received payload of the form <c>t&lt;ticks&gt;s&lt;sequence&gt;</c> records its sequence number here.</summary>
    SequenceCheck? Sequences { get; set; }

    Task ConnectAsync(CancellationToken cancellationToken);

    Task SubscribeAsync(string channel);

    Task PublishAsync(string channel, string payload);
}

/// <summary>
/// A lean Socket.IO v5 client over <see cref="ClientWebSocket"/> for the Socket.IO-protocol servers
/// (ours and socket.io on Node): it answers pings, matches acks, and counts message frames without
/// parsing them, so the client costs as little as possible.
/// </summary>
internal sealed class SocketIoLoadClient(Uri server) : ILoadClient
{
    private static readonly byte[] Pong = "3"u8.ToArray();
    private readonly ClientWebSocket _socket = new();
    private readonly SemaphoreSlim _send = new(1, 1);
    private readonly Dictionary<long, TaskCompletionSource> _acks = [];
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _received;
    private long _nextAck;
    private Task? _loop;

    public long Received => Interlocked.Read(ref _received);

    public LatencyLog? Latencies { get; set; }

    public SequenceCheck? Sequences { get; set; }

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        var uri = new UriBuilder(server) { Scheme = "ws", Path = "/socket.io/", Query = "EIO=4&transport=websocket" }.Uri;
        await _socket.ConnectAsync(uri, cancellationToken);
        _loop = Task.Run(ReceiveAsync, CancellationToken.None);
        await _connected.Task.WaitAsync(cancellationToken);
    }

    public Task SubscribeAsync(string channel) => EmitWithAckAsync($"[\"subscribe\",\"{channel}\"]");

    public Task UnsubscribeAsync(string channel) => EmitWithAckAsync($"[\"unsubscribe\",\"{channel}\"]");

    public Task PublishAsync(string channel, string payload) => SendAsync(Encoding.UTF8.GetBytes($"42[\"publish\",\"{channel}\",\"{payload}\"]"));

    private async Task EmitWithAckAsync(string json)
    {
        var ack = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        long id;
        lock (_acks)
        {
            id = _nextAck++;
            _acks[id] = ack;
        }

        await SendAsync(Encoding.UTF8.GetBytes($"42{id}{json}"));
        await ack.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private async Task SendAsync(byte[] frame)
    {
        await _send.WaitAsync();
        try
        {
            await _socket.SendAsync(frame, WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            _send.Release();
        }
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var result = await _socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                var length = result.Count;
                while (!result.EndOfMessage)
                {
                    result = await _socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                    length += result.Count;
                }

                Handle(buffer.AsSpan(0, length));
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private void Handle(ReadOnlySpan<byte> frame)
    {
        switch (frame[0])
        {
            case (byte)'0':
                _ = SendAsync("40"u8.ToArray());
                return;
            case (byte)'2':
                _ = SendAsync(Pong);
                return;
            case (byte)'4' when frame.Length > 1:
                switch (frame[1])
                {
                    case (byte)'0':
                        _connected.TrySetResult();
                        return;
                    case (byte)'2':
                        Interlocked.Increment(ref _received);
                        if (Latencies is not null || Sequences is not null)
                        {
                            // 42["message","t<ticks>[s<sequence>]",…]
                            var start = frame.IndexOf("\"t"u8);
                            if (start > 0)
                            {
                                var payload = frame[(start + 2)..];
                                var quote = payload.IndexOf((byte)'"');
                                payload = quote < 0 ? payload : payload[..quote];
                                Latencies?.Record(payload);
                                Sequences?.Record(payload);
                            }
                        }

                        return;
                    case (byte)'3':
                        var end = 2;
                        while (end < frame.Length && frame[end] is >= (byte)'0' and <= (byte)'9')
                        {
                            end++;
                        }

                        var id = long.Parse(frame[2..end], provider: System.Globalization.CultureInfo.InvariantCulture);
                        TaskCompletionSource? ack;
                        lock (_acks)
                        {
                            _acks.Remove(id, out ack);
                        }

                        ack?.TrySetResult();
                        return;
                }

                return;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }

        _socket.Abort();
        if (_loop is not null)
        {
            await _loop;
        }

        _socket.Dispose();
        _send.Dispose();
    }
}

/// <summary>SignalR's own .NET client, over WebSocket, with the hub's Subscribe/Publish.</summary>
internal sealed class SignalRLoadClient(Uri server) : ILoadClient
{
    private readonly HubConnection _connection = new HubConnectionBuilder()
        .WithUrl(new Uri(server, "hub"), options =>
        {
            options.Transports = Microsoft.AspNetCore.Http.Connections.HttpTransportType.WebSockets;
            options.SkipNegotiation = true;
        })
        .Build();

    private long _received;

    public long Received => Interlocked.Read(ref _received);

    public LatencyLog? Latencies { get; set; }

    public SequenceCheck? Sequences { get; set; }

    public Task ConnectAsync(CancellationToken cancellationToken)
    {
        _connection.On<string, string>("message", (payload, _) =>
        {
            Interlocked.Increment(ref _received);
            if (payload.StartsWith('t'))
            {
                var bytes = Encoding.ASCII.GetBytes(payload, 1, payload.Length - 1);
                Latencies?.Record(bytes);
                Sequences?.Record(bytes);
            }
        });
        return _connection.StartAsync(cancellationToken);
    }

    public Task SubscribeAsync(string channel) => _connection.InvokeAsync("Subscribe", channel);

    public Task PublishAsync(string channel, string payload) => _connection.SendAsync("Publish", channel, payload);

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}

/// <summary>
/// The raw relay's client: every connection is in the one "channel". It publishes the very frame a
/// Socket.IO server sends for a channel message (<c>42["message",payload,channel]</c>), which the relay
/// copies unparsed: the same bytes on the wire as ours, with no protocol work.
/// </summary>
internal sealed class RawLoadClient(Uri server) : ILoadClient
{
    private readonly ClientWebSocket _socket = new();
    private readonly SemaphoreSlim _send = new(1, 1);
    private long _received;
    private Task? _loop;

    public long Received => Interlocked.Read(ref _received);

    public LatencyLog? Latencies { get; set; }

    public SequenceCheck? Sequences { get; set; }

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        await _socket.ConnectAsync(new UriBuilder(server) { Scheme = "ws", Path = "/raw" }.Uri, cancellationToken);
        _loop = Task.Run(async () =>
        {
            var buffer = new byte[16 * 1024];
            try
            {
                while (_socket.State == WebSocketState.Open)
                {
                    var result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    if (result.EndOfMessage)
                    {
                        Interlocked.Increment(ref _received);
                        if (Latencies is { } log)
                        {
                            // 42["message","t<ticks>",…]
                            var frame = buffer.AsSpan(0, result.Count);
                            var start = frame.IndexOf("\"t"u8);
                            if (start > 0)
                            {
                                log.Record(frame[(start + 2)..]);
                            }
                        }
                    }
                }
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }, CancellationToken.None);
    }

    public Task SubscribeAsync(string channel) => Task.CompletedTask;

    public async Task PublishAsync(string channel, string payload)
    {
        await _send.WaitAsync();
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes($"42[\"message\",\"{payload}\",\"{channel}\"]"), WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            _send.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Abort();
        if (_loop is not null)
        {
            await _loop;
        }

        _socket.Dispose();
        _send.Dispose();
    }
}

/// <summary>Latencies in milliseconds, from the send timestamp a payload carries (same machine, same clock).</summary>
internal sealed class LatencyLog
{
    private readonly List<double> _values = [];

    public void Record(ReadOnlySpan<byte> digits)
    {
        long ticks = 0;
        foreach (var b in digits)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                break;
            }

            ticks = (ticks * 10) + (b - '0');
        }

        var milliseconds = System.Diagnostics.Stopwatch.GetElapsedTime(ticks).TotalMilliseconds;
        lock (_values)
        {
            _values.Add(milliseconds);
        }
    }

    public double Percentile(double p)
    {
        lock (_values)
        {
            if (_values.Count == 0)
            {
                return double.NaN;
            }

            _values.Sort();
            return _values[Math.Min(_values.Count - 1, (int)(p * _values.Count))];
        }
    }
}
