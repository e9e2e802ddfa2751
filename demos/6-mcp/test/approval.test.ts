/** The yes / no / always prompt, with scripted answers instead of a keyboard or a stdin line. */
import { describe, expect, it } from "vitest";
import { ApprovalPrompt } from "../../../shared/src/approval.ts";

const request = { server_label: "lab_issues", name: "create_issue", arguments: '{"title":"x"}' };
/** Answers in order; past the last one, the input has ended (undefined). */
const scripted = (answers: string[]) => {
  const asked: string[] = [];
  const ask = async (question: string) => {
    asked.push(question);
    return answers.shift();
  };
  return { asked, ask };
};

describe("ApprovalPrompt", () => {
  it("yes approves, no denies with a reason, nonsense asks again", async () => {
    const prompt = new ApprovalPrompt({ interactive: true, approveAll: false });
    const yes = scripted(["maybe", "y"]);
    expect(await prompt.decide(request, yes.ask)).toEqual({ approve: true });
    expect(yes.asked).toHaveLength(2);
    // A person's no needs no reason: it is what a denial means.
    expect(await prompt.decide(request, scripted(["no"]).ask)).toEqual({ approve: false });
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

  it("piped: the next line answers, in any case; nonsense is asked once more, then counts as a no", async () => {
    const piped = () => new ApprovalPrompt({ interactive: false, approveAll: false });
    expect(await piped().decide(request, scripted(["YES"]).ask)).toEqual({ approve: true });
    expect(await piped().decide(request, scripted([" No "]).ask)).toEqual({ approve: false });
    const again = scripted(["maybe", "y"]);
    expect(await piped().decide(request, again.ask)).toEqual({ approve: true });
    expect(again.asked).toHaveLength(2);
    const twice = scripted(["maybe", "later", "y"]);
    expect(await piped().decide(request, twice.ask)).toEqual({
      approve: false,
      reason: 'neither answer ("maybe", "later") was yes or no',
    });
    expect(twice.asked).toHaveLength(2); // "y" is left for the chat: the next turn
    // A script that forgot its answers: its messages are quoted short in the reason.
    const forgot = scripted(["Create an issue titled Mic saying the battery is low", "hello"]);
    expect((await piped().decide(request, forgot.ask)).reason).toBe(
      'neither answer ("Create an issue titled Mic saying the b…", "hello") was yes or no',
    );
  });

  it("input that ends before an answer is a no that says so, at a terminal too", async () => {
    for (const interactive of [false, true]) {
      const ended = scripted([]);
      expect(await new ApprovalPrompt({ interactive, approveAll: false }).decide(request, ended.ask)).toEqual(
        { approve: false, reason: "stdin ended before an answer" },
      );
      expect(ended.asked).toHaveLength(1);
    }
    const late = scripted(["maybe"]);
    expect(
      await new ApprovalPrompt({ interactive: false, approveAll: false }).decide(request, late.ask),
    ).toEqual({ approve: false, reason: "stdin ended before an answer" });
  });

  it("--approve-all approves without asking", async () => {
    const none = scripted([]);
    expect(
      (await new ApprovalPrompt({ interactive: false, approveAll: true }).decide(request, none.ask)).approve,
    ).toBe(true);
    expect(none.asked).toHaveLength(0);
  });
});
