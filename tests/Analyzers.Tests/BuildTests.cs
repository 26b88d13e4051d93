using System.Diagnostics;
using Channels.Tests;

namespace Channels.Analyzers.Tests;

/// <summary>The path a user takes: <c>dotnet build</c> of a project with a wrong handler fails with the CHN error on its line.</summary>
public sealed class BuildTests
{
    [Fact]
    public async Task Dotnet_build_of_a_wrong_handler_fails_with_the_CHN_error_on_the_right_file_and_line()
    {
        using var project = TempProject.Create("""
            using Channels;

            public partial class Handlers
            {
                [OnMessage("^room-")]
                public int Chat(string text) => text.Length;
            }
            """);

        var (exitCode, output) = await project.BuildAsync();

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Handlers.cs(6,12): error CHN0003: [OnMessage] handlers must return void, Task or ValueTask", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dotnet_build_of_valid_handlers_succeeds_with_the_generated_table()
    {
        using var project = TempProject.Create("""
            using Channels;

            public partial class Handlers
            {
                [OnMessage("^room-")]
                public void Chat(string text, string channel) { }
            }
            """);

        var (exitCode, output) = await project.BuildAsync();

        Assert.True(exitCode == 0, output);
        Assert.True(File.Exists(Path.Combine(project.Folder, "obj", "generated", "Channels.SDK.Generators", "Channels.Generators.ChannelsGenerator", "ChannelHandlerTable.g.cs")), output);
    }

    /// <summary>A throwaway project in the temp folder that references the runtime, generator and analyzer of this repository.</summary>
    private sealed class TempProject : IDisposable
    {
        private TempProject(string folder) => Folder = folder;

        public string Folder { get; }

        public static TempProject Create(string handlers)
        {
            var folder = Directory.CreateTempSubdirectory("channels-build-").FullName;
            var src = Repo.Path("src");
            File.WriteAllText(Path.Combine(folder, "App.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <OutputType>Library</OutputType>
                    <EmitCompilerGeneratedFiles>true</EmitCompilerGeneratedFiles>
                    <CompilerGeneratedFilesOutputPath>obj/generated</CompilerGeneratedFilesOutputPath>
                    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
                  </PropertyGroup>
                  <ItemGroup>
                    <FrameworkReference Include="Microsoft.AspNetCore.App" />
                    <ProjectReference Include="{src}/Runtime/Channels.SDK.csproj" />
                    <ProjectReference Include="{src}/Generators/Channels.SDK.Generators.csproj" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
                    <ProjectReference Include="{src}/Analyzers/Channels.SDK.Analyzers.csproj" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(folder, "Handlers.cs"), handlers);
            return new TempProject(folder);
        }

        public async Task<(int ExitCode, string Output)> BuildAsync()
        {
            var info = new ProcessStartInfo("dotnet", "build -nologo -v:q -c Release")
            {
                WorkingDirectory = Folder,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            info.Environment["MSBUILDNOINPROCNODE"] = "1";
            using var process = Process.Start(info)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await output + await error);
        }

        public void Dispose() => Directory.Delete(Folder, recursive: true);
    }
}
