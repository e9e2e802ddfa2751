/** The yes / no / always prompt, with scripted answers instead of a keyboard. */
import { describe, expect, it } from "vitest";
import { ApprovalPrompt } from "../../../shared/src/approval.ts";

const request = { server_label: "lab_issues", name: "create_issue", arguments: '{"title":"x"}' };
const scripted = (answers: string[]) => {
  const asked: string[] = [];
  const ask = async (question: string) => {
    asked.push(question);
    return answers.shift() ?? "";
  };
  return { asked, ask };
};

describe("ApprovalPrompt", () => {
  it("yes approves, no denies with a reason, nonsense asks again", async () => {
    const prompt = new ApprovalPrompt({ interactive: true, approveAll: false });
    const yes = scripted(["maybe", "y"]);
    expect(await prompt.decide(request, yes.ask)).toEqual({ approve: true });
    expect(yes.asked).toHaveLength(2);
    expect(await prompt.decide(request, scripted(["no"]).ask)).toEqual({
      approve: false,
      reason: "The user declined.",
    });
  });

  it("always approves this tool for the rest of the chat without asking again", async () => {
    const prompt = new ApprovalPrompt({ interactive: true, approveAll: false });
    expect(await prompt.decide(request, scripted(["a"]).ask)).toEqual({ approve: true });
    const later = scripted([]);
    expect(await prompt.decide(request, later.ask)).toEqual({ approve: true });
    expect(later.asked).toHaveLength(0);
    const other = scripted(["n"]);
    expect((await prompt.decide({ ...request, name: "close_issue" }, other.ask)).approve).toBe(false);
  });

  it("without a terminal nothing runs and nobody is said to have declined, unless --approve-all", async () => {
    const none = scripted([]);
    expect(
      await new ApprovalPrompt({ interactive: false, approveAll: false }).decide(request, none.ask),
    ).toMatchObject({ approve: false, unasked: true });
    expect(none.asked).toHaveLength(0);
    expect(
      (await new ApprovalPrompt({ interactive: false, approveAll: true }).decide(request, none.ask)).approve,
    ).toBe(true);
  });
});
