using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Channels.Redis.Tests;

/// <summary>A real redis-server on a free 127.0.0.1 port, with no persistence; can be killed and started again.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private Process? _process;

    private RedisServer(int port) => Port = port;

    public int Port { get; }

    public string Configuration => $"127.0.0.1:{Port},connectTimeout=2000,syncTimeout=2000";

    public static async Task<RedisServer> StartAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var server = new RedisServer(port);
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the server process (again) on the same port and waits until it accepts connections.</summary>
    public async Task StartAgainAsync()
    {
        if (!File.Exists("/usr/bin/redis-server"))
        {
            throw new InvalidOperationException("redis-server is not installed: the README's test command installs it (apt-get install redis-server).");
        }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _process = Process.Start(new ProcessStartInfo("/usr/bin/redis-server", $"--port {Port} --bind 127.0.0.1 --save \"\" --appendonly no --protected-mode no")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("Ready to accept connections", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(15));
    }

    /// <summary>Kills the server process (as a crash would).</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    public ValueTask DisposeAsync() => new(KillAsync());
}
