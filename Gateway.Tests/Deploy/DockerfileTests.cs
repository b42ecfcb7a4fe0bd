using System.Text.Json;
using CompositeGateway.Tests.Functional;
using CompositeGateway.Tests.Support;

namespace CompositeGateway.Tests.Deploy;

/// <summary>
/// deploy/docker/Dockerfile (no image can be built or pulled here): the recipe's shape is checked, and its
/// HEALTHCHECK command is run for real, with bash, against a running gateway's admin listener. The build stage's
/// RUN commands are run as written, and their program driven, by Cli/NativeAotBuildTests.cs (fixture "image").
/// </summary>
public sealed class DockerfileTests
{
    private static readonly string[] Lines = File.ReadAllLines(Path.Combine(RepositoryPaths.Root, "deploy", "docker", "Dockerfile"));

    [Test]
    public void Dockerfile_MultiStageNonRootWithVolumesHealthcheckAndEntrypoint()
    {
        var from = Lines.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(from, Has.Count.EqualTo(2));
            Assert.That(from[0], Does.StartWith("FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:").And.EndWith(" AS build"), "the SDK on the builder's platform, publishing for the target's");
            Assert.That(Lines.SkipWhile(l => l != from[0]).Skip(1).First(), Is.EqualTo("ARG TARGETARCH"));
            // Self-contained: the runtime stage needs no .NET, only the runtime's native dependencies.
            Assert.That(from[1], Does.StartWith("FROM mcr.microsoft.com/dotnet/runtime-deps:").And.EndWith(" AS runtime"));
            Assert.That(Lines.Single(l => l.StartsWith("RUN dotnet publish ", StringComparison.Ordinal)), Does.Contain("-a \"$TARGETARCH\" --self-contained"));
            Assert.That(Lines, Does.Contain("USER $APP_UID"), "the runtime image's non-root user");
            Assert.That(Lines, Does.Contain("VOLUME [\"/etc/composite-gateway\", \"/var/lib/composite-gateway\"]"));
            Assert.That(Lines, Does.Contain("ENTRYPOINT [\"composite-gateway\"]"));
            Assert.That(Lines.Single(l => l.StartsWith("CMD ", StringComparison.Ordinal)), Does.Contain("/etc/composite-gateway/gateway.yaml"));
            Assert.That(HealthcheckCommand(9465)[^1], Does.Contain("GET /health "));
            Assert.That(Lines.Last(l => l.StartsWith("USER ", StringComparison.Ordinal)), Is.EqualTo("USER $APP_UID"), "nothing runs as root after");
        });
    }

    [Test]
    public void DockerIgnore_KeepsKeysBuildOutputAndTestsOutOfTheContext()
    {
        var ignore = File.ReadAllLines(Path.Combine(RepositoryPaths.Root, ".dockerignore"));
        Assert.That(ignore, Does.Contain("**/*.key").And.Contain("**/bin/").And.Contain("**/obj/").And.Contain("**/node_modules/").And.Contain(".git/").And.Contain("Gateway.Tests/"));
        // What the build stage copies must not be ignored.
        Assert.That(ignore, Has.None.AnyOf("Gateway/", "Gateway.Formats/", "Gateway.Lab/", "global.json", "Directory.Packages.props"));
    }

    [Test]
    public async Task Healthcheck_AgainstARunningGateway_SucceedsAndFailsWhenNothingListens()
    {
        var bash = ExternalTool.Require("bash", "bash");
        int port;
        await using (var environment = await TestEnvironment.StartAsync())
        {
            port = environment.Gateway.AdminUrl.Port;
            var healthy = await ExternalTool.RunAsync(bash, HealthcheckCommand(port)[1..]);
            Assert.That(healthy.ExitCode, Is.Zero, healthy.ToString());
        }

        var stopped = await ExternalTool.RunAsync(bash, HealthcheckCommand(port)[1..]);
        Assert.That(stopped.ExitCode, Is.Not.Zero, "a gateway that is gone is unhealthy");
    }

    /// <summary>The exec-form HEALTHCHECK command, with the admin port the test's gateway really has.</summary>
    private static string[] HealthcheckCommand(int port)
    {
        var line = Lines.SkipWhile(l => !l.StartsWith("HEALTHCHECK ", StringComparison.Ordinal)).Skip(1).First().Trim();
        Assert.That(line, Does.StartWith("CMD ["));
        var command = JsonSerializer.Deserialize<string[]>(line["CMD ".Length..])!;
        Assert.That(command[0], Is.EqualTo("bash"));
        return [.. command.Select(a => a.Replace("/9465", "/" + port, StringComparison.Ordinal))];
    }
}
