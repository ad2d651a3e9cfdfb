;;; 80-indications.clp -- where the psoas release technique is indicated (the article's
;;; list), reported only when treatment may go ahead (caution or proceed).
;;; Consumes: disposition, finding.  Produces: indication.

(defrule INDICATIONS::female-runner-si
  "[A] Female runners with sacroiliac problems."
  (disposition (level caution|proceed))
  (finding (id sex) (value female))
  (finding (id runner) (value yes))
  (finding (id si_dysfunction) (value yes))
  =>
  (assert (indication (id female_runner_si) (because "sex=female" runner si_dysfunction))))

(defrule INDICATIONS::older-stenosis
  "[A] Older patients (60 or over) with lumbar spinal stenosis."
  (disposition (level caution|proceed))
  (finding (id spinal_stenosis) (value yes))
  (finding (id age) (value ?age&:(integerp ?age)&:(>= ?age 60)))
  =>
  (assert (indication (id older_stenosis) (because spinal_stenosis "age>=60"))))

(defrule INDICATIONS::hip-capsular-pattern
  "[A] Hip capsular pattern: release improves hip external rotation."
  (disposition (level caution|proceed))
  (finding (id hip_capsular_pattern) (value yes))
  =>
  (assert (indication (id hip_capsular_pattern) (because hip_capsular_pattern))))

(defrule INDICATIONS::posterior-ilium
  "[A] Posteriorly rotated ilium."
  (disposition (level caution|proceed))
  (finding (id ilium_posterior_rotation) (value yes))
  =>
  (assert (indication (id posterior_ilium) (because ilium_posterior_rotation))))

(defrule INDICATIONS::femoral-nerve-thigh
  "[A] Diffuse anterolateral thigh complaints from femoral nerve compression."
  (disposition (level caution|proceed))
  (finding (id thigh_symptoms) (value yes))
  =>
  (assert (indication (id femoral_nerve_thigh) (because thigh_symptoms))))

(defrule INDICATIONS::spondylolisthesis
  "[A] Spondylolisthesis, with paraspinal soft-tissue work and a stabilisation programme."
  (disposition (level caution|proceed))
  (finding (id spondylolisthesis) (value yes))
  =>
  (assert (indication (id spondylolisthesis) (because spondylolisthesis))))
