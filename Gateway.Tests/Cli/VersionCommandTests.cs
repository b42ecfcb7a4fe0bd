using CompositeGateway.Cli;

namespace CompositeGateway.Tests.Cli;

public sealed class VersionCommandTests
{
    [Test]
    public async Task Version_Invoked_PrintsProductVersion()
    {
        var output = new StringWriter();
        var result = GatewayCommandLine.Create().Parse(["version"]);
        var exit = await result.InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = output });
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero);
            Assert.That(output.ToString().Trim(), Is.EqualTo($"composite-gateway {ProductInfo.Version}"));
            Assert.That(ProductInfo.Version, Does.Match(@"^\d+\.\d+\.\d+"));
        });
    }
}
