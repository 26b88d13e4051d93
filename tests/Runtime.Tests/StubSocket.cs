using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Channels.Tests;

/// <summary>
/// A socket with fixed channels that sends nothing and subscribes to nothing: for calling handlers and the
/// dispatcher directly (tests, the generator tests' table runner, the dispatch micro-benchmarks).
/// </summary>
public sealed class StubSocket(IReadOnlyCollection<string>? channels = null) : ChannelSocket
{
    public override string Id => "stub";

    public override string Namespace => "/";

    public override HttpContext HttpContext { get; } = new DefaultHttpContext();

    public override JsonElement Auth => default;

    public override IDictionary<string, object?> Context { get; } = new Dictionary<string, object?>();

    public override IReadOnlyCollection<string> Channels => channels ?? [];

    public override CancellationToken Disconnected => CancellationToken.None;

    public override ChannelTarget Others => throw new NotSupportedException("A stub has no server.");

    public override ChannelTarget Everyone => throw new NotSupportedException("A stub has no server.");

    public override IChannelPublisher Server => throw new NotSupportedException("A stub has no server.");

    public override ValueTask SendAsync<T>(T message) => default;

    public override ValueTask BroadcastAsync<T>(T message) => default;

    public override ValueTask BroadcastChannelAsync<T>(T message, string? channel = null) => default;

    public override ValueTask SendAndBroadcastAsync<T>(T message) => default;

    public override ValueTask SendAndBroadcastChannelAsync<T>(T message, string? channel = null) => default;

    public override ValueTask<bool> SubscribeAsync(string channel) => new(false);

    public override ValueTask<bool> UnsubscribeAsync(string channel) => new(false);

    public override ValueTask TrackAsync<T>(string channel, T meta) => default;

    public override ValueTask UntrackAsync(string channel) => default;

    public override ValueTask EmitAsync(string eventName, params object?[] args) => default;

    public override Task<ChannelPayload> EmitWithAckAsync(string eventName, object?[] args, CancellationToken cancellationToken = default) =>
        Task.FromResult(ChannelPayload.Empty);

    public override ValueTask DisconnectAsync() => default;
}
