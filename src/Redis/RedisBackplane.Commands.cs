using System.Collections.Concurrent;
using Channels.Backplane;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Channels.Redis;

/// <summary>
/// Server-side commands across servers: a request is published to every server on one Redis channel;
/// each runs it on its own sockets and replies on the requester's channel. <c>PUBLISH</c> returns how
/// many servers received the request, so the requester knows how many replies to wait for.
/// </summary>
internal sealed partial class RedisBackplane
{
    /// <summary>Requests from other servers run at once on this one, at most; beyond it they are answered with an error.</summary>
    internal const int MaxRunningRequests = 256;

    private readonly ConcurrentDictionary<Guid, PendingRequest> _pending = new();
    private int _running;

    private string RequestChannel => _options.ChannelPrefix + ":request";

    private string ReplyChannel => _options.ChannelPrefix + ":reply:" + _serverId;

    public async ValueTask<SocketCommandResult> ExecuteAsync(SocketCommand command, CancellationToken cancellationToken)
    {
        var local = await _local.ExecuteAsync(command, cancellationToken);
        if ((command.Target == PublicationTarget.Socket && local.Count > 0) || _redis is not { IsConnected: true } redis)
        {
            return local;
        }

        var id = Guid.NewGuid();
        var pending = new PendingRequest(firstFound: command.Target == PublicationTarget.Socket);
        _pending[id] = pending;
        try
        {
            var receivers = await redis.GetSubscriber().PublishAsync(
                RedisChannel.Literal(RequestChannel),
                SocketCommandCodec.EncodeRequest(_serverId, id, command));

            // Every server, this one included, receives the request; this one answers locally.
            var expected = (int)Math.Max(0, receivers - 1);
            pending.Expect(expected);
            var wait = _options.RequestTimeout + (command.Kind == SocketCommandKind.EmitWithAck ? command.AckTimeout : TimeSpan.Zero);
            SocketCommandResult remote;
            try
            {
                remote = await pending.Task.WaitAsync(wait, cancellationToken);
            }
            catch (TimeoutException) when (!pending.Task.IsCompleted)
            {
                throw new TimeoutException(
                    $"{pending.Answered} of {expected} other servers answered the {command.Kind} command within {wait.TotalMilliseconds:0} ms " +
                    "(RedisBackplaneOptions.RequestTimeout).");
            }

            return local.Merge(remote);
        }
        catch (Exception ex) when (ex is RedisException or ObjectDisposedException)
        {
            CommandFailed(ex, command.Kind.ToString());
            return local;
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    private void ReceiveRequest(ChannelMessage message)
    {
        string serverId;
        Guid id;
        SocketCommand command;
        try
        {
            (serverId, id, command) = SocketCommandCodec.DecodeRequest((byte[])message.Message!);
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or ArgumentException)
        {
            InvalidMessage(ex, message.Channel.ToString());
            return;
        }

        if (serverId == _serverId)
        {
            return;
        }

        if (Interlocked.Increment(ref _running) > MaxRunningRequests)
        {
            Interlocked.Decrement(ref _running);
            _ = ReplyAsync(serverId, id, SocketCommandResult.None, $"server {_serverId[..8]} is busy ({MaxRunningRequests} commands running)", timedOut: false);
            return;
        }

        _ = RunRequestAsync(serverId, id, command);
    }

    private async Task RunRequestAsync(string serverId, Guid id, SocketCommand command)
    {
        try
        {
            var result = await _local.ExecuteAsync(command, CancellationToken.None);
            await ReplyAsync(serverId, id, result, error: null, timedOut: false);
        }
        catch (TimeoutException ex)
        {
            await ReplyAsync(serverId, id, SocketCommandResult.None, ex.Message, timedOut: true);
        }
        catch (Exception ex)
        {
            CommandFailed(ex, command.Kind.ToString());
            await ReplyAsync(serverId, id, SocketCommandResult.None, $"{ex.GetType().Name}: {ex.Message}", timedOut: false);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    private async Task ReplyAsync(string serverId, Guid id, SocketCommandResult result, string? error, bool timedOut)
    {
        if (_redis is not { } redis)
        {
            return;
        }

        try
        {
            await redis.GetSubscriber().PublishAsync(
                RedisChannel.Literal(_options.ChannelPrefix + ":reply:" + serverId),
                SocketCommandCodec.EncodeReply(id, result, error, timedOut),
                CommandFlags.FireAndForget);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            CommandFailed(ex, "reply");
        }
    }

    private void ReceiveReply(ChannelMessage message)
    {
        try
        {
            var (id, result, error, timedOut) = SocketCommandCodec.DecodeReply((byte[])message.Message!);
            if (_pending.TryGetValue(id, out var pending))
            {
                pending.Add(result, error, timedOut);
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or ArgumentException)
        {
            InvalidMessage(ex, message.Channel.ToString());
        }
    }

    [LoggerMessage(7, LogLevel.Warning, "Redis backplane: a {Command} command failed")]
    private partial void CommandFailed(Exception exception, string command);

    /// <summary>The replies to one request, merged; complete when every server answered, or one found the socket.</summary>
    private sealed class PendingRequest(bool firstFound)
    {
        private readonly TaskCompletionSource<SocketCommandResult> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private SocketCommandResult _merged = SocketCommandResult.None;
        private int _expected = -1;

        public Task<SocketCommandResult> Task => _done.Task;

        public int Answered { get; private set; }

        public void Expect(int servers)
        {
            lock (this)
            {
                _expected = servers;
                CompleteIfDone();
            }
        }

        public void Add(SocketCommandResult result, string? error, bool timedOut)
        {
            lock (this)
            {
                Answered++;
                if (error is not null)
                {
                    _done.TrySetException(timedOut ? new TimeoutException(error) : new InvalidOperationException(error));
                    return;
                }

                _merged = _merged.Merge(result);
                if (firstFound && result.Count > 0)
                {
                    _done.TrySetResult(_merged);
                }

                CompleteIfDone();
            }
        }

        private void CompleteIfDone()
        {
            if (_expected >= 0 && Answered >= _expected)
            {
                _done.TrySetResult(_merged);
            }
        }
    }
}
