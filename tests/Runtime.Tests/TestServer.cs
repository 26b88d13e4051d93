using Channels.Dispatch;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Channels.Tests;

/// <summary>
/// A real Kestrel server on 127.0.0.1 with an ephemeral port, running the Channels endpoint with the
/// given handlers. Dispose stops it (running the shutdown sequence).
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>The server's base address, e.g. http://127.0.0.1:41234/.</summary>
    public Uri Address { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<TestServer> StartAsync(
        IChannelHandlerTable? handlers = null,
        Action<ChannelsOptions>? configure = null,
        Action<WebApplication>? map = null,
        Action<IServiceCollection>? services = null,
        int port = 0,
        string? environment = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = environment ?? "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var channels = builder.Services.AddChannels(configure);
        if (handlers is not null)
        {
            channels.AddHandlers(_ => handlers);
        }

        services?.Invoke(builder.Services);
        var app = builder.Build();
        map?.Invoke(app);
        if (map is null)
        {
            app.MapChannels();
        }

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new TestServer(app, new Uri(address.Replace("[::]", "127.0.0.1") + "/"));
    }

    public Uri Url(string relative) => new(Address, relative);

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }
}

/// <summary>A handler table written inline: <c>new HandlerList { { ChannelEventKind.Message, e =&gt; … } }</c>.</summary>
public sealed class HandlerList : IChannelHandlerTable, System.Collections.IEnumerable
{
    private readonly List<ChannelHandlerDescriptor> _handlers = [];

    public IReadOnlyList<ChannelHandlerDescriptor> Handlers => _handlers;

    public void Add(ChannelHandlerDescriptor descriptor) => _handlers.Add(descriptor);

    public void Add(ChannelEventKind kind, Func<ChannelEvent, ValueTask<HandlerResult>> invoke, string? pattern = null, string @namespace = "/", string? eventName = null) =>
        _handlers.Add(new ChannelHandlerDescriptor(
            kind,
            @namespace,
            $"{kind}#{_handlers.Count}",
            e => invoke(e),
            pattern is null ? null : new System.Text.RegularExpressions.Regex(pattern).IsMatch,
            eventName) { Pattern = pattern });

    public void Add(ChannelEventKind kind, Action<ChannelEvent> handler, string? pattern = null, string @namespace = "/", string? eventName = null) =>
        Add(kind, e =>
        {
            handler(e);
            return ValueTask.FromResult(HandlerResult.Continue);
        }, pattern, @namespace, eventName);

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => _handlers.GetEnumerator();
}
