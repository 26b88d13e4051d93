using Channels.Backplane;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Channels.Redis;

/// <summary>
/// Carries publications between servers over Redis pub/sub. Each server subscribes to one Redis channel
/// for everyone-broadcasts, one for sends to a socket id, and one per Channels channel it has local
/// subscribers for. A publication is delivered locally first, then published once per Redis channel as
/// the encoded packet bytes; each server drops its own publications and duplicates.
/// </summary>
internal sealed partial class RedisBackplane : IChannelBackplane, IHostedService, IAsyncDisposable
{
    private readonly IChannelDelivery _local;
    private readonly RedisBackplaneOptions _options;
    private readonly ILogger<RedisBackplane> _logger;
    private readonly string _serverId = Guid.NewGuid().ToString("N");
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly HashSet<string> _desired = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ChannelMessageQueue> _active = new(StringComparer.Ordinal);
    private readonly RecentIds _seen = new(4096);
    private readonly Lock _state = new();
    private readonly HashSet<ConnectionType> _down = [];
    private TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConnectionStateRecoveryOptions? _recovery;
    private IConnectionMultiplexer? _redis;

    public RedisBackplane(IChannelDelivery local, IOptions<RedisBackplaneOptions> options, IOptions<ChannelsOptions> channels, ILogger<RedisBackplane> logger)
    {
        _local = local;
        _options = options.Value;
        _recovery = channels.Value.ConnectionStateRecovery;
        _logger = logger;
        _desired.Add(AllChannel);
        _desired.Add(SocketChannel);
        _desired.Add(RequestChannel);
        _desired.Add(ReplyChannel);
        if (RecoveryOn)
        {
            _desired.Add(StreamNotifyChannel);
        }
    }

    private string AllChannel => _options.ChannelPrefix + ":all";

    private string SocketChannel => _options.ChannelPrefix + ":socket";

    /// <summary>Whether the backplane is connected to Redis now.</summary>
    public bool IsConnected => _redis?.IsConnected == true;

    /// <summary>The Redis channels this server is subscribed to (for tests and diagnostics).</summary>
    public IReadOnlyCollection<string> ActiveSubscriptions
    {
        get
        {
            _gate.Wait();
            try
            {
                return [.. _active.Keys];
            }
            finally
            {
                _gate.Release();
            }
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var configuration = ConfigurationOptions.Parse(_options.Configuration);
        configuration.AbortOnConnectFail = !_options.AllowLocalOnlyStart;

        // At most once: during an outage publications are dropped, never queued and replayed later.
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ClientName ??= "channels-" + _serverId[..8];
        try
        {
            _redis = await ConnectionMultiplexer.ConnectAsync(configuration);
        }
        catch (RedisConnectionException ex)
        {
            throw new InvalidOperationException(
                $"Channels could not reach Redis at '{_options.Configuration}': {ex.Message}. " +
                "Start Redis, fix ConnectionStrings:Redis, or set RedisBackplaneOptions.AllowLocalOnlyStart to start without it.",
                ex);
        }

        _redis.ConnectionFailed += (_, e) =>
        {
            lock (_state)
            {
                _down.Add(e.ConnectionType);
                if (_ready.Task.IsCompleted)
                {
                    _ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }

            LostConnection(e.EndPoint?.ToString() ?? "?", e.FailureType.ToString());
        };
        _redis.ConnectionRestored += (_, e) =>
        {
            lock (_state)
            {
                _down.Remove(e.ConnectionType);
            }

            RestoredConnection(e.EndPoint?.ToString() ?? "?");
            _ = RestoreAsync();
        };
        if (!_redis.IsConnected)
        {
            StartedLocalOnly(_options.Configuration);
        }

        await RestoreAsync();
    }

    /// <summary>
    /// Completes once the backplane is connected and its subscriptions are in place; after an outage, once
    /// they are back (tests wait on it instead of retrying).
    /// </summary>
    internal Task WhenReadyAsync()
    {
        lock (_state)
        {
            if (_ready.Task.IsCompleted && !IsConnected)
            {
                _ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            return _ready.Task;
        }
    }

    private async Task RestoreAsync()
    {
        await SyncSubscriptionsAsync();
        if (RecoveryOn)
        {
            await StartReadingAsync();
        }

        lock (_state)
        {
            if (_down.Count == 0 && IsConnected)
            {
                _ready.TrySetResult();
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_reader is not null)
        {
            await _reader;
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        _gate.Dispose();
    }

    public async ValueTask PublishAsync(ChannelPublication publication)
    {
        if (RecoveryOn)
        {
            await AppendAsync(publication);
            return;
        }

        var delivered = _local.Deliver(publication);
        if (publication.Target == PublicationTarget.Socket && delivered > 0)
        {
            return;
        }

        if (_redis is not { IsConnected: true } redis)
        {
            return;
        }

        // Fire and forget: the publisher's connection does not wait a Redis round trip per message;
        // one multiplexer connection keeps the order, and delivery across servers is at most once anyway.
        var subscriber = redis.GetSubscriber();
        var bytes = PublicationCodec.Encode(_serverId, Guid.NewGuid(), publication);
        try
        {
            switch (publication.Target)
            {
                case PublicationTarget.All:
                    await subscriber.PublishAsync(RedisChannel.Literal(AllChannel), bytes, CommandFlags.FireAndForget);
                    break;
                case PublicationTarget.Socket:
                    await subscriber.PublishAsync(RedisChannel.Literal(SocketChannel), bytes, CommandFlags.FireAndForget);
                    break;
                case PublicationTarget.Channels when publication.Channels.Count > 1:
                    // Once, to every server, rather than the whole publication once per channel: a message to
                    // a hundred channels must not cost Redis a hundred copies of it.
                    await subscriber.PublishAsync(RedisChannel.Literal(AllChannel), bytes, CommandFlags.FireAndForget);
                    break;
                default:
                    foreach (var channel in publication.Channels)
                    {
                        await subscriber.PublishAsync(RedisChannel.Literal(ChannelKey(publication.Namespace, channel)), bytes, CommandFlags.FireAndForget);
                    }

                    break;
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            PublishFailed(ex, publication.Target.ToString());
        }
    }

    public async ValueTask ChannelOccupiedAsync(string @namespace, string channel)
    {
        if (RecoveryOn)
        {
            // Every server reads the whole recovery stream: no channel subscriptions to keep.
            return;
        }

        await _gate.WaitAsync();
        try
        {
            _desired.Add(ChannelKey(@namespace, channel));
        }
        finally
        {
            _gate.Release();
        }

        await SyncSubscriptionsAsync();
    }

    public async ValueTask ChannelVacatedAsync(string @namespace, string channel)
    {
        if (RecoveryOn)
        {
            // Every server reads the whole recovery stream: no channel subscriptions to keep.
            return;
        }

        await _gate.WaitAsync();
        try
        {
            _desired.Remove(ChannelKey(@namespace, channel));
        }
        finally
        {
            _gate.Release();
        }

        await SyncSubscriptionsAsync();
    }

    /// <summary>Brings the Redis subscriptions in line with what this server needs (after changes, and after a reconnect).</summary>
    private async Task SyncSubscriptionsAsync()
    {
        var subscriber = _redis?.GetSubscriber();
        if (subscriber is null)
        {
            return;
        }

        await _gate.WaitAsync();
        try
        {
            foreach (var key in _active.Keys.Where(k => !_desired.Contains(k)).ToList())
            {
                await _active[key].UnsubscribeAsync();
                _active.Remove(key);
            }

            foreach (var key in _desired.Where(k => !_active.ContainsKey(k)).ToList())
            {
                var queue = await subscriber.SubscribeAsync(RedisChannel.Literal(key));
                queue.OnMessage(OnMessage);
                _active[key] = queue;
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            SubscribeFailed(ex);
        }
        finally
        {
            _gate.Release();
        }
    }

    private void OnMessage(ChannelMessage message)
    {
        var channel = message.Channel.ToString();
        if (channel == RequestChannel)
        {
            ReceiveRequest(message);
        }
        else if (channel == ReplyChannel)
        {
            ReceiveReply(message);
        }
        else if (RecoveryOn && channel == StreamNotifyChannel)
        {
            _wake.Writer.TryWrite(true);
        }
        else
        {
            Receive(message);
        }
    }

    private void Receive(ChannelMessage message)
    {
        try
        {
            var (serverId, id, publication) = PublicationCodec.Decode((byte[])message.Message!);
            if (serverId == _serverId || !_seen.Add(id))
            {
                return;
            }

            DeliverTraced(publication);
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or ArgumentException)
        {
            InvalidMessage(ex, message.Channel.ToString());
        }
    }

    private string ChannelKey(string @namespace, string channel) => $"{_options.ChannelPrefix}:ch:{@namespace}:{channel}";

    [LoggerMessage(1, LogLevel.Warning, "Redis backplane: connection to {EndPoint} lost ({Failure}); local delivery continues, cross-server delivery is paused")]
    private partial void LostConnection(string endPoint, string failure);

    [LoggerMessage(2, LogLevel.Information, "Redis backplane: connection to {EndPoint} restored; subscriptions are being restored")]
    private partial void RestoredConnection(string endPoint);

    [LoggerMessage(3, LogLevel.Warning, "Redis backplane: Redis at {Configuration} is unreachable; started in local-only mode and retrying")]
    private partial void StartedLocalOnly(string configuration);

    [LoggerMessage(4, LogLevel.Warning, "Redis backplane: a {Target} publication did not reach Redis; it was delivered on this server only")]
    private partial void PublishFailed(Exception exception, string target);

    [LoggerMessage(5, LogLevel.Warning, "Redis backplane: subscribing failed; retried when the connection is restored")]
    private partial void SubscribeFailed(Exception exception);

    [LoggerMessage(6, LogLevel.Warning, "Redis backplane: an unreadable message on {Channel} was dropped")]
    private partial void InvalidMessage(Exception exception, string channel);

    /// <summary>The most recent publication ids, to drop one that arrives on several Redis channels.</summary>
    private sealed class RecentIds(int capacity)
    {
        private readonly HashSet<Guid> _set = [];
        private readonly Queue<Guid> _order = new();

        public bool Add(Guid id)
        {
            lock (_set)
            {
                if (!_set.Add(id))
                {
                    return false;
                }

                _order.Enqueue(id);
                if (_order.Count > capacity)
                {
                    _set.Remove(_order.Dequeue());
                }

                return true;
            }
        }
    }
}
