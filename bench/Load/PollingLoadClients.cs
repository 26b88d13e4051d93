using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Channels.Bench.Load;

/// <summary>
/// The HTTP pools the long-polling clients share, one per server: about one connection per client (its
/// pending GET) rather than a pool per client, so that 10,000 of them fit the harness's file limit. A
/// server's pool is disposed, closing its connections, when the scenario is done with the server.
/// </summary>
internal static class PollingPools
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Uri, SocketsHttpHandler> Pools = new();

    public static SocketsHttpHandler For(Uri server) =>
        Pools.GetOrAdd(server, static _ => new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) });

    public static void Release(Uri server)
    {
        if (Pools.TryRemove(server, out var pool))
        {
            pool.Dispose();
        }
    }
}

/// <summary>
/// A lean Engine.IO v4 long-polling client for the Socket.IO-protocol servers (ours and socket.io on Node):
/// one GET pending at a time, POSTs one at a time, pings answered, acks matched, message packets counted
/// without parsing; its requests go through its server's shared pool (<see cref="PollingPools"/>).
/// </summary>
internal sealed class PollingLoadClient(Uri server) : ILoadClient
{
    private readonly HttpClient _http = new(PollingPools.For(server), disposeHandler: false) { Timeout = TimeSpan.FromSeconds(100) };
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _post = new(1, 1);
    private readonly Dictionary<long, TaskCompletionSource> _acks = [];
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Uri? _session;
    private long _received;
    private long _nextAck;
    private Task? _loop;

    public long Received => Interlocked.Read(ref _received);

    public LatencyLog? Latencies { get; set; }

    public SequenceCheck? Sequences { get; set; }

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        var open = new UriBuilder(server) { Path = "/socket.io/", Query = "EIO=4&transport=polling" }.Uri;
        var handshake = await _http.GetStringAsync(open, cancellationToken);

        // 0{"sid":"…",…}
        using var json = JsonDocument.Parse(handshake.AsMemory(1));
        var sid = json.RootElement.GetProperty("sid").GetString();
        _session = new UriBuilder(open) { Query = $"EIO=4&transport=polling&sid={Uri.EscapeDataString(sid!)}" }.Uri;
        await PostAsync("40");
        _loop = Task.Run(PollAsync, CancellationToken.None);
        await _connected.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
    }

    public async Task SubscribeAsync(string channel)
    {
        var ack = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        long id;
        lock (_acks)
        {
            id = _nextAck++;
            _acks[id] = ack;
        }

        await PostAsync($"42{id}[\"subscribe\",\"{channel}\"]");
        await ack.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public Task PublishAsync(string channel, string payload) => PostAsync($"42[\"publish\",\"{channel}\",\"{payload}\"]");

    private async Task PostAsync(string packet)
    {
        await _post.WaitAsync();
        try
        {
            using var content = new StringContent(packet, Encoding.UTF8, "text/plain");
            using var response = await _http.PostAsync(_session, content);
            response.EnsureSuccessStatusCode();
        }
        finally
        {
            _post.Release();
        }
    }

    private async Task PollAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var body = await _http.GetStringAsync(_session, _stop.Token);
                foreach (var packet in body.Split('\x1e'))
                {
                    if (!Handle(packet))
                    {
                        return;
                    }
                }
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    /// <summary>One Engine.IO packet; false when the session is over.</summary>
    private bool Handle(string packet)
    {
        switch (packet)
        {
            case "1":
                return false;
            case "2":
                _ = PostQuietlyAsync("3");
                return true;
            case ['4', '0', ..]:
                _connected.TrySetResult();
                return true;
            case ['4', '2', ..]:
                Interlocked.Increment(ref _received);
                return true;
            case ['4', '3', ..]:
                var end = 2;
                while (end < packet.Length && char.IsAsciiDigit(packet[end]))
                {
                    end++;
                }

                TaskCompletionSource? ack;
                lock (_acks)
                {
                    _acks.Remove(long.Parse(packet.AsSpan(2, end - 2), provider: System.Globalization.CultureInfo.InvariantCulture), out ack);
                }

                ack?.TrySetResult();
                return true;
            default:
                return true;
        }
    }

    private async Task PostQuietlyAsync(string packet)
    {
        try
        {
            await PostAsync(packet);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        // The pending GET first (its connection closes), then the CLOSE packet that ends the session on a
        // pooled connection: never two connections per client at once.
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        if (_session is not null)
        {
            await PostQuietlyAsync("1");
        }

        _stop.Dispose();
        _post.Dispose();
        _http.Dispose();
    }
}

/// <summary>
/// SignalR's own .NET client over long polling (with negotiation, which long polling needs), every client's
/// requests through one shared pool (its own <see cref="HttpClient"/> per connection would open a pool, and
/// two connections, per client).
/// </summary>
internal sealed class SignalRPollingLoadClient(Uri server) : ILoadClient
{
    private readonly HubConnection _connection = new HubConnectionBuilder()
        .WithUrl(new Uri(server, "hub"), options =>
        {
            options.Transports = Microsoft.AspNetCore.Http.Connections.HttpTransportType.LongPolling;
            options.HttpMessageHandlerFactory = _ => new SharedHandler(PollingPools.For(server));
        })
        .Build();

    private long _received;

    public long Received => Interlocked.Read(ref _received);

    public LatencyLog? Latencies { get; set; }

    public SequenceCheck? Sequences { get; set; }

    public Task ConnectAsync(CancellationToken cancellationToken)
    {
        _connection.On<string, string>("message", (_, _) => Interlocked.Increment(ref _received));
        return _connection.StartAsync(cancellationToken);
    }

    public Task SubscribeAsync(string channel) => _connection.InvokeAsync("Subscribe", channel);

    public Task PublishAsync(string channel, string payload) => _connection.SendAsync("Publish", channel, payload);

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    /// <summary>Lends the shared pool to one connection's <see cref="HttpClient"/>, which disposes this and not the pool.</summary>
    private sealed class SharedHandler(HttpMessageHandler pool) : DelegatingHandler(pool)
    {
        protected override void Dispose(bool disposing)
        {
        }
    }
}
