using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Channels.Testing;

/// <summary>
/// A minimal app built in the test, served in memory: <c>AddChannels()</c> (which finds every generated
/// handler table of the test's assemblies and their references) and <c>MapChannels()</c>, plus what the
/// test adds. For a whole app, use <c>WebApplicationFactory&lt;Program&gt;</c> and
/// <see cref="ChannelsTestClient.ConnectAsync(TestServer, ChannelsTestClientOptions?, CancellationToken)"/> with its <c>Server</c>.
/// </summary>
public sealed class ChannelsTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ChannelsTestHost(WebApplication app) => _app = app;

    /// <summary>The in-memory server.</summary>
    public TestServer Server => (TestServer)_app.Services.GetRequiredService<IServer>();

    /// <summary>The app's services.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Builds and starts the host. <paramref name="configure"/> may register services and call
    /// <c>AddChannels(options => …)</c> itself (then its options apply); <paramref name="map"/> replaces the
    /// default <c>app.MapChannels()</c>.
    /// </summary>
    public static async Task<ChannelsTestHost> StartAsync(Action<WebApplicationBuilder>? configure = null, Action<WebApplication>? map = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseTestServer();
        configure?.Invoke(builder);
        builder.Services.AddChannels();
        var app = builder.Build();
        if (map is null)
        {
            app.MapChannels();
        }
        else
        {
            map(app);
        }

        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new ChannelsTestHost(app);
    }

    /// <summary>Connects a new test client to this host.</summary>
    public Task<ChannelsTestClient> ConnectAsync(ChannelsTestClientOptions? options = null, CancellationToken cancellationToken = default) =>
        ChannelsTestClient.ConnectAsync(Server, options, cancellationToken);

    /// <summary>Stops the app (its graceful shutdown runs) and releases it.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
