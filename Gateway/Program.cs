using CompositeGateway.Cli;

return await GatewayCommandLine.Create().Parse(args).InvokeAsync();
