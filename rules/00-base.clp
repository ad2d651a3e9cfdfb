;;; 00-base.clp -- modules, templates and helpers shared by every rule file.
;;;
;;; Consumes (asserted by the host, src/engine.c, from a validated case):
;;;   (session (mode eval|intake|screen) (therapist yes|no))
;;;   (finding (id ID) (value yes|INTEGER|CHOICE))   one per finding answered yes, or with
;;;                  a number or a choice.  A "no" or "don't know" is not a fact: "no X"
;;;                  is written (not (finding (id X) (value yes))), as CLINICAL.md defines
;;;                  it, and `check` rejects a rule that waits for (value no|unknown).
;;;   (open-question (id ID) (red-flag yes|no) (who patient|therapist)
;;;                  (state unanswered|unknown) (rank N))      applicable questions not yet
;;;                  answered yes/no/value; in eval mode only the red-flag ones
;;; Produces (read back by the host):
;;;   (concern (id ID) (because ITEM...))     ITEM = finding id, or a comparison "age>=55"
;;;   (precaution (id ID))  (indication (id ID) (because ITEM...))
;;;   (disposition (level emergency|urgent|refer|incomplete|caution|proceed))
;;;   (ask (id ID) (rank N) (reason red-flag|follow-up|pattern|history|...)
;;;        (concerns CONCERN...))      a question the dialogue should ask; lowest rank
;;;                                    first; concerns = what its answer rules in or out
;;; Host functions (src/engine.c; the knowledge they use is the kb's, not C's):
;;;   (concern-level ID) -> the level kb/concerns.json gives concern ID, or the symbol
;;;                         unknown-concern (more severe than any level) if it has none
;;;   (severity LEVEL)   -> 1 for the most severe level (kb/levels.json lists them from the
;;;                         most severe; the loader checks the order) ... 6 for the
;;;                         least; 0 for a symbol that is no level (a typo can never lower
;;;                         a disposition)
;;;   (more-severe A B)  -> TRUE if level A is more severe than level B
;;;
;;; Phases run as modules, in the order MAIN::start focuses them; no salience ladders.
;;; Every rule's comment opens with its clinical source key(s) in brackets, e.g.
;;; "[N156] ..."; the keys are those of kb/sources.json.  Rules never read or print.

(defmodule MAIN (export ?ALL))

(deftemplate MAIN::session
  (slot mode (type SYMBOL) (allowed-symbols eval intake screen))
  (slot therapist (type SYMBOL) (allowed-symbols no yes)))

(deftemplate MAIN::finding
  (slot id (type SYMBOL))
  (slot value))

(deftemplate MAIN::open-question
  (slot id (type SYMBOL))
  (slot red-flag (type SYMBOL) (allowed-symbols no yes))
  (slot who (type SYMBOL) (allowed-symbols patient therapist))
  (slot state (type SYMBOL) (allowed-symbols unanswered unknown))
  (slot rank (type INTEGER)))

(deftemplate MAIN::concern
  (slot id (type SYMBOL))
  (multislot because))

(deftemplate MAIN::precaution
  (slot id (type SYMBOL)))

(deftemplate MAIN::indication
  (slot id (type SYMBOL))
  (multislot because))

(deftemplate MAIN::disposition
  (slot level (type SYMBOL)
        (allowed-symbols emergency urgent refer incomplete caution proceed)))

(deftemplate MAIN::ask
  (slot id (type SYMBOL))
  (slot rank (type INTEGER))
  (slot reason (type SYMBOL))
  (multislot concerns (type SYMBOL)))

(defrule MAIN::start
  "[A] Run the phases in order: concerns, precautions, disposition, indications, questions."
  =>
  (focus CONCERNS PRECAUTIONS DISPOSITION INDICATIONS QUESTIONS))

(defmodule CONCERNS (import MAIN ?ALL))
(defmodule PRECAUTIONS (import MAIN ?ALL))
(defmodule DISPOSITION (import MAIN ?ALL))
(defmodule INDICATIONS (import MAIN ?ALL))
(defmodule QUESTIONS (import MAIN ?ALL))
