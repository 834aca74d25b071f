import AgentBus

await AgentMain.run(RiskScorerAgent())
