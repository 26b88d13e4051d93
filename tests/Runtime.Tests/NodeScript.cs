using System.Diagnostics;

namespace Channels.Tests;

/// <summary>Runs a Node script of tests/Runtime.Tests/node to its end and returns its exit code and output.</summary>
public static class NodeScript
{
    public static async Task<(int ExitCode, string Log)> RunAsync(string arguments, TimeSpan timeout)
    {
        var info = new ProcessStartInfo("node", arguments)
        {
            WorkingDirectory = Repo.Path("tests", "Runtime.Tests", "node"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"node {arguments} did not finish within {timeout.TotalSeconds} s.");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
