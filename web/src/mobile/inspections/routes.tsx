import { Route, Routes } from 'react-router';
import { RunPage } from './RunPage';
import { TasksPage } from './TasksPage';
import './inspections.css';

/** The phone's inspection pages under /m/inspections (lazy: the checklist rules load only here). */
export default function InspectionRoutes() {
  return (
    <Routes>
      <Route path="tasks/:id" element={<RunPage />} />
      <Route path="*" element={<TasksPage />} />
    </Routes>
  );
}
